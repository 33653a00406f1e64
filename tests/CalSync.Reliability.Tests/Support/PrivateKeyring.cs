using System.Diagnostics;

namespace CalSync.Reliability.Tests.Support;

/// <summary>
/// A Secret Service of the test's own: a private D-Bus session bus (no service activation, so nothing else can
/// answer on it) and gnome-keyring-daemon with an unlocked "login" collection as the default, under a temp HOME and
/// XDG directories, so no real user keyring is ever touched. libsecret reads the bus address from the native
/// environment: child processes get <see cref="Environment"/>. Both daemons are this object's own child processes,
/// ended by their ids in <see cref="Dispose"/>.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class PrivateKeyring : IDisposable
{
    private readonly Process _bus;
    private readonly Process _daemon;

    private PrivateKeyring(string root, string address, Process bus, Process daemon)
    {
        Root = root;
        BusAddress = address;
        _bus = bus;
        _daemon = daemon;
        Environment = EnvironmentFor(root, address);
    }

    private static Dictionary<string, string?> EnvironmentFor(string root, string address) =>
        new()
        {
            ["DBUS_SESSION_BUS_ADDRESS"] = address,
            ["HOME"] = Path.Combine(root, "home"),
            ["XDG_DATA_HOME"] = Path.Combine(root, "data"),
            ["XDG_CONFIG_HOME"] = Path.Combine(root, "config"),
            ["XDG_CACHE_HOME"] = Path.Combine(root, "cache"),
            ["XDG_RUNTIME_DIR"] = Path.Combine(root, "run"),
            // No display: nothing may try a browser or a graphical prompt.
            ["DISPLAY"] = null,
            ["WAYLAND_DISPLAY"] = null,
        };

    public string Root { get; }
    public string BusAddress { get; }

    /// <summary>What a process needs to reach this keyring (a null value: remove the variable).</summary>
    public IReadOnlyDictionary<string, string?> Environment { get; }

    /// <summary>Starts the bus and the keyring daemon and proves the default collection takes and gives back a secret.</summary>
    public static PrivateKeyring Start()
    {
        var daemonPath = OsPrograms.GnomeKeyring();
        var root = Directory.CreateTempSubdirectory("calsync-keyring-").FullName;
        foreach (var dir in new[] { "home", "data", "config", "cache", "run" })
            Directory.CreateDirectory(Path.Combine(root, dir), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var address = "unix:path=" + Path.Combine(root, "bus");
        var config = Path.Combine(root, "bus.conf");
        File.WriteAllText(config, $"""
            <!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN" "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
            <busconfig>
              <type>session</type>
              <listen>{address}</listen>
              <auth>EXTERNAL</auth>
              <policy context="default">
                <allow send_destination="*" eavesdrop="true"/>
                <allow eavesdrop="true"/>
                <allow own="*"/>
              </policy>
            </busconfig>
            """);
        Process? bus = null, daemon = null;
        try
        {
            bus = Launch(OsPrograms.Which("dbus-daemon")!, ["--config-file=" + config, "--nofork", "--nopidfile", "--print-address=1"], null, root);
            var printed = bus.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30)).GetAwaiter().GetResult();
            if (string.IsNullOrEmpty(printed) || !printed.StartsWith(address, StringComparison.Ordinal))
                throw new InvalidOperationException($"dbus-daemon did not start: '{printed}'");
            Drain(bus, output: false);
            // --unlock reads the login password from standard input and creates the "login" collection with it.
            daemon = Launch(daemonPath, ["--foreground", "--unlock", "--components=secrets"], EnvironmentFor(root, printed), root);
            daemon.StandardInput.Write("calsync-test-keyring");
            daemon.StandardInput.Close();
            Drain(daemon, output: true);
            var keyring = new PrivateKeyring(root, printed, bus, daemon);
            keyring.WaitUntilReady();
            return keyring;
        }
        catch
        {
            Stop(daemon);
            Stop(bus);
            try { Directory.Delete(root, true); } catch (IOException) { }
            throw;
        }
    }

    private void WaitUntilReady()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        var probe = Guid.NewGuid().ToString("N");
        while (true)
        {
            var stored = SecretTool(probe, "store", "--label=CalSync test fixture probe", "calsync.fixture", probe);
            if (stored.ExitCode == 0 && Lookup("calsync.fixture", probe) == probe) break;
            if (DateTime.UtcNow > deadline || _daemon.HasExited)
                throw new InvalidOperationException($"The private keyring does not take secrets: {stored.Error} {stored.Output} (daemon exited: {_daemon.HasExited})");
            Thread.Sleep(200);
        }
        SecretTool(null, "clear", "calsync.fixture", probe);
        // The default alias is the unlocked login collection: where libsecret's "default" collection writes go.
        Assert.Contains("/collection/login", Dbus("org.freedesktop.Secret.Service.ReadAlias", "/org/freedesktop/secrets", "string:default"));
        Assert.False(IsLocked(), "the login collection is locked");
    }

    public bool IsLocked() =>
        Dbus("org.freedesktop.DBus.Properties.Get", "/org/freedesktop/secrets/collection/login",
            "string:org.freedesktop.Secret.Collection", "string:Locked").Contains("boolean true", StringComparison.Ordinal);

    /// <summary>Locks the login collection (as a screen lock or a timeout would); unlocking would need a prompt, so it stays locked.</summary>
    public void Lock()
    {
        Dbus("org.freedesktop.Secret.Service.Lock", "/org/freedesktop/secrets", "array:objpath:/org/freedesktop/secrets/collection/login");
        Assert.True(IsLocked(), "the login collection did not lock");
    }

    /// <summary>The secret of the item with these attributes (name, value, ...), or null.</summary>
    public string? Lookup(params string[] attributes)
    {
        var r = SecretTool(null, ["lookup", .. attributes]);
        return r.ExitCode == 0 ? r.Output : null;
    }

    /// <summary>
    /// `secret-tool search --all`: the items' label, secret and schema lines (standard output) and their
    /// "attribute.name = value" lines (secret-tool writes those to standard error).
    /// </summary>
    public (string Items, string Attributes) Search(params string[] attributes)
    {
        var r = SecretTool(null, ["search", "--all", .. attributes]);
        return (r.Output, r.Error);
    }

    public (int ExitCode, string Output, string Error) SecretTool(string? input, params string[] args) =>
        Run(OsPrograms.Which("secret-tool")!, args, input);

    private string Dbus(string method, string path, params string[] args)
    {
        var r = Run(OsPrograms.Which("dbus-send")!, ["--session", "--print-reply", "--dest=org.freedesktop.secrets", path, method, .. args], null);
        if (r.ExitCode != 0) throw new InvalidOperationException($"dbus-send {method} failed: {r.Error}");
        return r.Output;
    }

    private (int ExitCode, string Output, string Error) Run(string program, string[] args, string? input)
    {
        using var p = Launch(program, args, Environment, Root);
        var output = p.StandardOutput.ReadToEndAsync();
        var error = p.StandardError.ReadToEndAsync();
        if (input is not null) p.StandardInput.Write(input);
        p.StandardInput.Close();
        if (!p.WaitForExit(TimeSpan.FromSeconds(30)))
        {
            p.Kill();
            throw new TimeoutException($"{program} {string.Join(' ', args)} did not finish in 30 s.");
        }
        return (p.ExitCode, output.Result, error.Result);
    }

    private static Process Launch(string program, string[] args, IReadOnlyDictionary<string, string?>? environment, string directory)
    {
        var info = new ProcessStartInfo(program)
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true,
            UseShellExecute = false, WorkingDirectory = directory,
        };
        foreach (var a in args) info.ArgumentList.Add(a);
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null) info.Environment.Remove(name);
            else info.Environment[name] = value;
        }
        return Process.Start(info)!;
    }

    // Daemons' messages are read and dropped, so a full pipe never blocks them.
    private static void Drain(Process p, bool output)
    {
        p.ErrorDataReceived += (_, _) => { };
        p.BeginErrorReadLine();
        if (!output) return;
        p.OutputDataReceived += (_, _) => { };
        p.BeginOutputReadLine();
    }

    private static void Stop(Process? p)
    {
        if (p is null) return;
        try { if (!p.HasExited) p.Kill(); p.WaitForExit(5000); } catch (InvalidOperationException) { }
        p.Dispose();
    }

    public void Dispose()
    {
        Stop(_daemon);
        Stop(_bus);
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
