using System.Diagnostics;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Runtime.Loader;
using CalSync.Cmdlets.Tests.Support;

namespace CalSync.Cmdlets.Tests;

/// <summary>
/// Import-Module stays cheap: it loads the cmdlet assembly only. The engine, the connectors, their libraries and the
/// private load context come with the first command that needs them. Runs in a new process (this one has long
/// since imported the module), as <see cref="ImportProbe"/>.
/// </summary>
public sealed class LazyLoadingTests
{
    [Fact]
    public void Import_loads_nothing_from_Dependencies_and_the_first_command_loads_the_engine_into_the_CalSync_context()
    {
        using var home = new StoreHome();
        var lines = ImportProbe.RunInNewProcess(Paths.Manifest, home.Root);

        Assert.Equal("imported: CalSync.Cmdlets=Default", Assert.Single(lines, l => l.StartsWith("imported:", StringComparison.Ordinal)));
        Assert.Contains("after import: contexts=", lines);
        Assert.Contains("after import: from Dependencies=", lines);
        var loaded = Assert.Single(lines, l => l.StartsWith("after Get-CalSync: from Dependencies=", StringComparison.Ordinal));
        Assert.Contains("CalSync.Engine=CalSync", loaded);
        Assert.Contains("after Get-CalSync: contexts=CalSync", lines);
    }
}

/// <summary>The child side: imports the module into a fresh runspace and reports what is loaded where, step by step.</summary>
public static class ImportProbe
{
    public const string Command = "--import-probe";

    public static List<string> RunInNewProcess(string manifest, string storeRoot)
    {
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } h && File.Exists(h) ? h : "dotnet";
        var start = new ProcessStartInfo(host) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { typeof(ImportProbe).Assembly.Location, Command, manifest }) start.ArgumentList.Add(arg);
        start.Environment["CALSYNC_HOME"] = storeRoot;
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(2)), "the probe did not finish");
        Assert.True(process.ExitCode == 0, $"the probe failed ({process.ExitCode}): {output}\n{stderr.Result}");
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
    }

    public static int Run(string manifest)
    {
        var dependencies = Path.Combine(Path.GetDirectoryName(manifest)!, "Dependencies") + Path.DirectorySeparatorChar;
        void Report(string step)
        {
            var fromDependencies = AppDomain.CurrentDomain.GetAssemblies()
                .Where(a => !a.IsDynamic && a.Location.StartsWith(dependencies, StringComparison.Ordinal))
                .Select(a => a.GetName().Name + "=" + AssemblyLoadContext.GetLoadContext(a)?.Name).Order();
            Console.WriteLine($"{step}: from Dependencies={string.Join(",", fromDependencies)}");
            Console.WriteLine($"{step}: contexts={string.Join(",", AssemblyLoadContext.All.Select(c => c.Name).Where(n => n == "CalSync"))}");
        }

        using var runspace = RunspaceFactory.CreateRunspace(InitialSessionState.CreateDefault2());
        runspace.Open();
        Invoke(runspace, $"Import-Module '{manifest.Replace("'", "''")}'");
        var cmdlets = AppDomain.CurrentDomain.GetAssemblies().Where(a => a.GetName().Name == "CalSync.Cmdlets")
            .Select(a => a.GetName().Name + "=" + AssemblyLoadContext.GetLoadContext(a)?.Name);
        Console.WriteLine("imported: " + string.Join(",", cmdlets));
        Report("after import");
        Invoke(runspace, "Get-CalSync");
        Report("after Get-CalSync");
        return 0;
    }

    private static void Invoke(Runspace runspace, string script)
    {
        using var ps = PowerShell.Create();
        ps.Runspace = runspace;
        ps.AddScript(script).Invoke();
        if (ps.HadErrors) throw new InvalidOperationException(script + ": " + string.Join("; ", ps.Streams.Error));
    }
}
