using System;
using System.Collections.Generic;
using System.IO;
using System.Reflection;
using System.Runtime.Loader;

namespace CalSync.Loader;

/// <summary>
/// The private load context of CalSync on PowerShell 7. The cmdlet assembly lives in the default context; when the
/// default context cannot find one of its references (CalSync.Engine, CalSync.Store, the connectors, a polyfill in their
/// signatures), the cmdlet assembly's resolver asks <see cref="LoadShared"/>, which loads it here. Everything those
/// assemblies need (MSAL, Graph, Kiota, YamlDotNet, TimeZoneConverter, Polly, ...) is then resolved by
/// <see cref="Load"/> from Dependencies/ first, so whatever version another module put into the default context is
/// never used. Framework polyfills (System.*, Microsoft.Bcl.*) are taken from the running .NET when it has them in at
/// least the requested version: those types may cross between the contexts.
/// </summary>
public sealed class DependencyLoadContext : AssemblyLoadContext
{
    private static readonly object Gate = new();
    private static DependencyLoadContext? _instance;

    private readonly string _directory;
    private readonly Dictionary<string, string> _platformFiles;
    private readonly Dictionary<string, Version> _platformVersions = new(StringComparer.OrdinalIgnoreCase);

    private DependencyLoadContext(string directory) : base("CalSync", isCollectible: false)
    {
        _directory = directory;
        _platformFiles = PlatformPolyfills();
    }

    /// <summary>The context once created (tests and diagnostics), else null.</summary>
    public static AssemblyLoadContext? Current => _instance;

    /// <summary>
    /// Loads <paramref name="name"/> (an assembly the default context could not find) into the context, creating the
    /// context on first use: once a process, and only when a command first needs the engine, so importing the module
    /// stays cheap.
    /// </summary>
    public static Assembly LoadShared(string dependencyDirectory, AssemblyName name)
    {
        lock (Gate) _instance ??= new DependencyLoadContext(Path.GetFullPath(dependencyDirectory));
        return _instance.LoadFromAssemblyName(name);
    }

    protected override Assembly? Load(AssemblyName name)
    {
        if (name.Name is not { } simple) return null;
        var path = Path.Combine(_directory, simple + ".dll");
        if (!File.Exists(path)) return null; // the framework (or PowerShell) provides it
        if (IsPolyfill(simple) && PlatformVersion(simple) is { } available && (name.Version is null || available >= name.Version))
            return null;
        return LoadFromAssemblyPath(path);
    }

    private static bool IsPolyfill(string name) =>
        name.StartsWith("System.", StringComparison.OrdinalIgnoreCase) || name.StartsWith("Microsoft.Bcl.", StringComparison.OrdinalIgnoreCase)
        || name.StartsWith("Microsoft.Win32.", StringComparison.OrdinalIgnoreCase) || name.Equals("netstandard", StringComparison.OrdinalIgnoreCase);

    /// <summary>The running .NET's version of a polyfill, read from its file on first ask (not all ~170 files up front).</summary>
    private Version? PlatformVersion(string simple)
    {
        lock (_platformVersions)
        {
            if (_platformVersions.TryGetValue(simple, out var known)) return known;
            if (!_platformFiles.TryGetValue(simple, out var file)) return null;
            Version version;
            try { version = AssemblyName.GetAssemblyName(file).Version ?? new Version(0, 0); }
            catch (Exception e) when (e is BadImageFormatException or IOException) { return null; }
            return _platformVersions[simple] = version;
        }
    }

    /// <summary>The polyfill-named assemblies of the running application (its trusted platform list), by simple name.</summary>
    private static Dictionary<string, string> PlatformPolyfills()
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var list = AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string ?? "";
        foreach (var file in list.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var simple = Path.GetFileNameWithoutExtension(file);
            if (IsPolyfill(simple)) result.TryAdd(simple, file);
        }
        return result;
    }
}
