using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Security;
using CalSync.QuickStart;

namespace CalSync.Reliability.Tests;

/// <summary>
/// The child process of the crash, concurrency and stale-lock tests: the test assembly started on its own
/// (<c>CalSync.Reliability.Tests --calsync-child &lt;script&gt;</c>) hosts PowerShell 7.6 (System.Management.Automation),
/// imports the built module (out/CalSync/CalSync.psd1) and runs one script, as a scheduled task would
/// (no host UI: non-interactive; with CALSYNC_CHILD_HOST=interactive the recording <see cref="ScriptHost.Recording"/> host, so a
/// device-code sign-in is allowed). $graph, $authority, $token and $webhook come from the environment
/// (CALSYNC_CHILD_*), the store from CALSYNC_HOME. It prints one line per event: READY (module imported),
/// OUT &lt;outcome&gt; created=.. (a run record), WARN &lt;warning&gt;, ERR &lt;error id&gt; &lt;message&gt;, TERM &lt;error id&gt;
/// &lt;message&gt; (terminating). Exit code: 0, or 1 on a terminating error. With CALSYNC_CHILD_WARMUP it first runs a warm-up script (its own store: it only reads), and with
/// CALSYNC_CHILD_WAIT=1 it then waits for a store root on standard input before the real script: the harness starts
/// the next child while it checks the last one, so a crash point costs the run, not the process start and JIT.
/// Under xunit this Main is never called.
/// </summary>
public static class Program
{
    public const string ChildSwitch = "--calsync-child";

    public static int Main(string[] args)
    {
        if (args.Length != 2 || args[0] != ChildSwitch)
        {
            Console.Error.WriteLine($"usage: CalSync.Reliability.Tests {ChildSwitch} <script text>   (run the tests with dotnet test)");
            return 2;
        }
        var iss = InitialSessionState.CreateDefault2();
        iss.ImportPSModule(new[] { Environment.GetEnvironmentVariable("CALSYNC_CHILD_MANIFEST")! });
        using var runspace = Environment.GetEnvironmentVariable("CALSYNC_CHILD_HOST") == "interactive"
            ? RunspaceFactory.CreateRunspace(ScriptHost.Recording(), iss)
            : RunspaceFactory.CreateRunspace(iss);
        runspace.Open();
        runspace.SessionStateProxy.SetVariable("graph", Environment.GetEnvironmentVariable("CALSYNC_CHILD_GRAPH"));
        runspace.SessionStateProxy.SetVariable("authority", Environment.GetEnvironmentVariable("CALSYNC_CHILD_AUTHORITY"));
        runspace.SessionStateProxy.SetVariable("token", Secure(Environment.GetEnvironmentVariable("CALSYNC_CHILD_TOKEN") ?? ""));
        runspace.SessionStateProxy.SetVariable("webhook", Secure(Environment.GetEnvironmentVariable("CALSYNC_CHILD_WEBHOOK") ?? ""));
        if (Environment.GetEnvironmentVariable("CALSYNC_CHILD_WARMUP") is { Length: > 0 } warmup)
        {
            // Loads and compiles what the real run needs (module, sign-in, Graph SDK, both readers) in a store of its own.
            using var warm = PowerShell.Create();
            warm.Runspace = runspace;
            warm.AddScript(warmup);
            try { warm.Invoke(); } catch (RuntimeException e) { Line("WARMUP-TERM " + OneLine(e.Message)); }
            foreach (var error in warm.Streams.Error) Line("WARMUP-ERR " + OneLine(error.ToString()));
        }
        Line("READY");
        if (Environment.GetEnvironmentVariable("CALSYNC_CHILD_WAIT") == "1")
        {
            // GO: the store to use, on one line of standard input.
            var root = Console.In.ReadLine();
            if (string.IsNullOrEmpty(root)) return 3;
            Environment.SetEnvironmentVariable("CALSYNC_HOME", root);
        }
        using var ps = PowerShell.Create();
        ps.Runspace = runspace;
        ps.AddScript("try {\n" + args[1] + "\n} catch { throw }");
        ps.Streams.Error.DataAdded += (_, e) =>
        {
            var error = ps.Streams.Error[e.Index];
            Line($"ERR {error.FullyQualifiedErrorId.Split(',')[0]} {OneLine(error.ToString())}");
        };
        ps.Streams.Warning.DataAdded += (_, e) => Line("WARN " + OneLine(ps.Streams.Warning[e.Index].Message));
        var output = new PSDataCollection<PSObject>();
        output.DataAdded += (_, e) => Line("OUT " + Describe(output[e.Index]));
        try
        {
            ps.Invoke(null, output);
            return 0;
        }
        catch (RuntimeException e)
        {
            Line($"TERM {e.ErrorRecord?.FullyQualifiedErrorId.Split(',')[0]} {OneLine(e.Message)}");
            return 1;
        }
    }

    private static string Describe(PSObject o)
    {
        if (o.Properties["Outcome"] is { } outcome)
            return $"{outcome.Value} created={o.Properties["Created"]?.Value} updated={o.Properties["Updated"]?.Value} deleted={o.Properties["Deleted"]?.Value} matched={o.Properties["Matched"]?.Value} recovered={o.Properties["Recovered"]?.Value}";
        return OneLine(o.ToString());
    }

    private static string OneLine(string s) => s.Replace('\r', ' ').Replace('\n', ' ');

    private static readonly object Gate = new();

    private static void Line(string s)
    {
        lock (Gate)
        {
            Console.Out.WriteLine(s);
            Console.Out.Flush();
        }
    }

    private static SecureString Secure(string value)
    {
        var s = new SecureString();
        foreach (var c in value) s.AppendChar(c);
        s.MakeReadOnly();
        return s;
    }
}
