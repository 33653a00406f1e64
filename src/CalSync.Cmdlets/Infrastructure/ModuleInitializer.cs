using System;
using System.IO;
using System.Management.Automation;
using System.Reflection;
using System.Runtime.InteropServices;

namespace CalSync.PowerShell.Infrastructure;

/// <summary>
/// Runs when the module is imported, before any cmdlet touches the engine. On PowerShell 7 it installs the private
/// AssemblyLoadContext (CalSync.Cmdlets.Loader, net8.0) so the engine, the connectors and MSAL / Graph / Kiota /
/// YamlDotNet load from Dependencies/ in isolation. On Windows PowerShell (no load contexts) it falls back to resolving
/// the same files from Dependencies/ into the one AppDomain.
/// </summary>
public sealed class ModuleInitializer : IModuleAssemblyInitializer, IModuleAssemblyCleanup
{
    internal static readonly string[] EntryAssemblies = { "CalSync.Engine", "CalSync.Outlook", "CalSync.Bitrix24" };
    private static readonly object Gate = new();
    private static bool _installed;

    /// <summary>The name of the load context CalSync's engine runs in ("CalSync" on PowerShell 7, "Default" on Windows PowerShell).</summary>
    public static string LoadContextName { get; private set; } = "";

    internal static string DependencyDirectory =>
        Path.Combine(Path.GetDirectoryName(typeof(ModuleInitializer).Assembly.Location) ?? ".", "Dependencies");

    public void OnImport()
    {
        lock (Gate)
        {
            if (_installed) return;
            var directory = DependencyDirectory;
            if (!Directory.Exists(directory))
                throw new InvalidOperationException($"CalSync is incomplete: the folder '{directory}' is missing. Reinstall the module (or build it: dotnet build CalSync.sln).");
            if (RuntimeInformation.FrameworkDescription.StartsWith(".NET Framework", StringComparison.OrdinalIgnoreCase))
            {
                AppDomain.CurrentDomain.AssemblyResolve += ResolveOnNetFramework;
                LoadContextName = "Default";
            }
            else
            {
                var loader = Assembly.LoadFrom(Path.Combine(directory, "CalSync.Cmdlets.Loader.dll"));
                var install = loader.GetType("CalSync.Loader.DependencyLoadContext", throwOnError: true)!.GetMethod("Install")!;
                LoadContextName = (string)install.Invoke(null, new object[] { directory, EntryAssemblies })!;
            }
            _installed = true;
        }
    }

    public void OnRemove(PSModuleInfo module)
    {
        // The load context stays for the process: other runspaces may still use the module, and types cannot be unloaded.
    }

    private static Assembly? ResolveOnNetFramework(object? sender, ResolveEventArgs args)
    {
        var name = new AssemblyName(args.Name).Name;
        var path = Path.Combine(DependencyDirectory, name + ".dll");
        return File.Exists(path) ? Assembly.LoadFrom(path) : null;
    }
}
