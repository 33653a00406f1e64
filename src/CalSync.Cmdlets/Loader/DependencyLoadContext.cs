using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;

namespace CalSync.Loader;

/// <summary>
/// The private load context of CalSync on PowerShell 7. The cmdlet assembly lives in the default context and
/// references only CalSync.Engine, CalSync.Outlook and CalSync.Bitrix24; when the default context cannot find one
/// of those "entry" assemblies, <see cref="Install"/>'s resolver loads it here. Everything those assemblies need
/// (MSAL, Graph, Kiota, YamlDotNet, TimeZoneConverter, Polly, ...) is then resolved by <see cref="Load"/> from
/// Dependencies/ first, so whatever version another module put into the default context is never used.
/// Framework polyfills (System.*, Microsoft.Bcl.*) are taken from the running .NET when it has them in at least
/// the requested version: those types may cross between the contexts.
/// </summary>
public sealed class DependencyLoadContext : AssemblyLoadContext
{
    private static readonly object Gate = new();
    private static DependencyLoadContext? _instance;

    private readonly string _directory;
    private readonly HashSet<string> _entryAssemblies;
    private readonly Dictionary<string, Version> _platform;

    private DependencyLoadContext(string directory, IEnumerable<string> entryAssemblies) : base("CalSync", isCollectible: false)
    {
        _directory = directory;
        _entryAssemblies = new HashSet<string>(entryAssemblies, StringComparer.OrdinalIgnoreCase);
        _platform = PlatformAssemblies();
    }

    /// <summary>The context once installed (tests and diagnostics), else null.</summary>
    public static AssemblyLoadContext? Current => _instance;

    /// <summary>
    /// Creates the context (once a process; further calls return the same) and hooks the default context's
    /// resolution of the entry assemblies into it. Returns the context's name.
    /// </summary>
    public static string Install(string dependencyDirectory, string[] entryAssemblies)
    {
        lock (Gate)
        {
            if (_instance is null)
            {
                var context = new DependencyLoadContext(Path.GetFullPath(dependencyDirectory), entryAssemblies);
                Default.Resolving += context.ResolveEntry;
                _instance = context;
            }
            return _instance.Name!;
        }
    }

    /// <summary>
    /// The default context asks for an assembly it cannot find: the entry assemblies come from here, and so do the
    /// polyfills that appear in their public signatures (e.g. Microsoft.Bcl.TimeProvider), so both contexts share one copy.
    /// </summary>
    private Assembly? ResolveEntry(AssemblyLoadContext requester, AssemblyName name)
    {
        if (name.Name is not { } simple) return null;
        if (_entryAssemblies.Contains(simple)) return LoadFromAssemblyName(name);
        return IsPolyfill(simple) && File.Exists(Path.Combine(_directory, simple + ".dll")) ? LoadFromAssemblyName(name) : null;
    }

    protected override Assembly? Load(AssemblyName name)
    {
        if (name.Name is not { } simple) return null;
        var path = Path.Combine(_directory, simple + ".dll");
        if (!File.Exists(path)) return null; // the framework (or PowerShell) provides it
        if (IsPolyfill(simple) && _platform.TryGetValue(simple, out var available) && (name.Version is null || available >= name.Version))
            return null;
        return LoadFromAssemblyPath(path);
    }

    private static bool IsPolyfill(string name) =>
        name.StartsWith("System.", StringComparison.OrdinalIgnoreCase) || name.StartsWith("Microsoft.Bcl.", StringComparison.OrdinalIgnoreCase)
        || name.StartsWith("Microsoft.Win32.", StringComparison.OrdinalIgnoreCase) || name.Equals("netstandard", StringComparison.OrdinalIgnoreCase);

    /// <summary>Assemblies of the running application (its trusted platform list) and their versions.</summary>
    private static Dictionary<string, Version> PlatformAssemblies()
    {
        var result = new Dictionary<string, Version>(StringComparer.OrdinalIgnoreCase);
        var list = AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string ?? "";
        foreach (var file in list.Split(Path.PathSeparator).Where(f => f.Length > 0))
        {
            var simple = Path.GetFileNameWithoutExtension(file);
            if (!IsPolyfill(simple) || result.ContainsKey(simple)) continue;
            try { result[simple] = AssemblyName.GetAssemblyName(file).Version ?? new Version(0, 0); }
            catch (Exception e) when (e is BadImageFormatException or IOException) { }
        }
        return result;
    }
}
