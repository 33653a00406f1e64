using System.Collections.ObjectModel;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using CalSync.QuickStart;
using Xunit;

namespace CalSync.Testing;

/// <summary>What one script run produced, stream by stream.</summary>
public sealed record PsResult(
    IReadOnlyList<PSObject> Output,
    IReadOnlyList<ErrorRecord> Errors,
    IReadOnlyList<string> Warnings,
    IReadOnlyList<string> Verbose,
    IReadOnlyList<ProgressRecord> Progress,
    IReadOnlyList<string> Information,
    RuntimeException? Terminating,
    string HostText)
{
    public T Single<T>() => (T)Assert.Single(Output).BaseObject;
    public dynamic First => Output[0];
    public IEnumerable<string> ErrorIds => Errors.Select(e => e.FullyQualifiedErrorId.Split(',')[0]);
    public string? TerminatingId => Terminating?.ErrorRecord?.FullyQualifiedErrorId.Split(',')[0];

    public PsResult Ok()
    {
        Assert.True(Terminating is null && Errors.Count == 0,
            "script failed: " + (Terminating?.ErrorRecord?.FullyQualifiedErrorId + " " + Terminating?.Message) + string.Join("\n", Errors.Select(e => e.FullyQualifiedErrorId + ": " + e)));
        return this;
    }
}

/// <summary>
/// The real PowerShell 7.6 engine, hosted in-process, with the built module (out/CalSync/CalSync.psd1) imported.
/// One runspace is shared by the tests of a class; the store is chosen per command by $env:CALSYNC_HOME.
/// </summary>
public sealed class PsSession : IDisposable
{
    private readonly Runspace _runspace;

    public PsSession(bool withHost = true, bool importModule = true)
    {
        var iss = InitialSessionState.CreateDefault2();
        if (importModule) iss.ImportPSModule(new[] { Paths.Manifest });
        Host = withHost ? ScriptHost.Recording() : null;
        _runspace = Host is null ? RunspaceFactory.CreateRunspace(iss) : RunspaceFactory.CreateRunspace(Host, iss);
        _runspace.Open();
    }

    public ScriptHost? Host { get; }
    public Runspace Runspace => _runspace;

    public PsResult Run(string script, IDictionary<string, object?>? variables = null, Action<PowerShell>? whileRunning = null)
    {
        foreach (var pair in variables ?? new Dictionary<string, object?>())
            _runspace.SessionStateProxy.SetVariable(pair.Key, pair.Value);
        Host?.Clear();
        using var ps = PowerShell.Create();
        ps.Runspace = _runspace;
        // In a script a cmdlet's terminating error ends only its statement; inside try it ends the script, as a
        // scheduler (or a caller's try/catch) sees it. Non-terminating errors (WriteError) are not caught.
        ps.AddScript("try {\n" + script + "\n} catch { throw }");
        Collection<PSObject> output = new();
        RuntimeException? terminating = null;
        try
        {
            if (whileRunning is null) output = ps.Invoke();
            else
            {
                var async = ps.BeginInvoke();
                whileRunning(ps);
                output = ps.EndInvoke(async) is { } o ? new Collection<PSObject>(o.ToList()) : new();
            }
        }
        catch (RuntimeException e) { terminating = e; }
        return new PsResult(output.Where(o => o is not null).ToList(), ps.Streams.Error.ToList(), ps.Streams.Warning.Select(w => w.Message).ToList(),
            ps.Streams.Verbose.Select(v => v.Message).ToList(), ps.Streams.Progress.ToList(),
            ps.Streams.Information.Select(i => i.MessageData?.ToString() ?? "").ToList(), terminating, Host?.Text ?? "");
    }

    public void Dispose() => _runspace.Dispose();
}

public static class Paths
{
    public static string RepoRoot { get; } = FindRoot();
    public static string ModuleDirectory => Path.Combine(RepoRoot, "out", "CalSync");
    public static string Manifest => Path.Combine(ModuleDirectory, "CalSync.psd1");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "CalSync.sln"))) return dir.FullName;
        throw new InvalidOperationException("CalSync.sln not found above " + AppContext.BaseDirectory);
    }
}
