using System;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Reflection;

namespace CalSync.PowerShell.Infrastructure;

/// <summary>
/// Runs when the module is imported and only hooks assembly resolution: the engine, the store, the connectors and MSAL / Graph /
/// Kiota / YamlDotNet load when a command first needs them, not at import. The first such load creates the private
/// AssemblyLoadContext (CalSync.Cmdlets.Loader) so they load from Dependencies/ in isolation.
/// </summary>
public sealed class ModuleInitializer : IModuleAssemblyInitializer, IModuleAssemblyCleanup
{
    private static readonly string[] EntryAssemblies = { "CalSync.Engine", "CalSync.Store", "CalSync.Outlook", "CalSync.Bitrix24" };
    private static readonly object Gate = new();
    private static bool _hooked;
    private static Func<string, AssemblyName, Assembly>? _loadShared;

    private static string DependencyDirectory =>
        Path.Combine(Path.GetDirectoryName(typeof(ModuleInitializer).Assembly.Location) ?? ".", "Dependencies");

    public void OnImport()
    {
        var directory = DependencyDirectory;
        if (!Directory.Exists(directory))
            throw new InvalidOperationException($"CalSync is incomplete: the folder '{directory}' is missing. Reinstall the module (or build it: dotnet build CalSync.sln).");
        lock (Gate)
        {
            if (_hooked) return;
            AppDomain.CurrentDomain.AssemblyResolve += Resolve;
            _hooked = true;
        }
    }

    public void OnRemove(PSModuleInfo module)
    {
        // The hook and the load context stay for the process: other runspaces may still use the module, and types cannot be unloaded.
    }

    /// <summary>
    /// Serves the engine, the store and the connectors to anyone, and the cmdlet assembly's other references (polyfills in the
    /// engine's signatures) to the cmdlet assembly, from Dependencies/.
    /// Every other failed load in the process passes through untouched, and cheaply: this runs for all of them.
    /// </summary>
    private static Assembly? Resolve(object? sender, ResolveEventArgs args)
    {
        var name = new AssemblyName(args.Name);
        if (name.Name is not { } simple) return null;
        var path = Path.Combine(DependencyDirectory, simple + ".dll");
        var ours = EntryAssemblies.Contains(simple, StringComparer.OrdinalIgnoreCase)
            || args.RequestingAssembly == typeof(ModuleInitializer).Assembly;
        return ours && File.Exists(path) ? LoadShared()(DependencyDirectory, name) : null;
    }

    /// <summary>CalSync.Cmdlets.Loader's DependencyLoadContext.LoadShared, bound on first use.</summary>
    private static Func<string, AssemblyName, Assembly> LoadShared()
    {
        lock (Gate)
        {
            if (_loadShared is not null) return _loadShared;
            var loader = Assembly.LoadFrom(Path.Combine(DependencyDirectory, "CalSync.Cmdlets.Loader.dll"));
            var method = loader.GetType("CalSync.Loader.DependencyLoadContext", throwOnError: true)!.GetMethod("LoadShared")!;
            return _loadShared = (Func<string, AssemblyName, Assembly>)Delegate.CreateDelegate(typeof(Func<string, AssemblyName, Assembly>), method);
        }
    }
}
