using System.Diagnostics;
using CalSync.Store;
using Xunit;

namespace CalSync.Store.Tests;

public sealed class StoreLockTests : IDisposable
{
    private readonly TempStore _temp = new();
    private CalSyncStore Store => _temp.Store;

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task A_second_acquire_from_another_thread_fails_clearly_after_the_wait()
    {
        using var held = Store.Locks.Acquire("Work", TimeSpan.Zero);
        var sw = Stopwatch.StartNew();
        var e = await Task.Run(() => Assert.Throws<StoreException>(() => Store.Locks.Acquire("work", TimeSpan.FromMilliseconds(300))));
        Assert.True(sw.ElapsedMilliseconds >= 250, $"waited only {sw.ElapsedMilliseconds} ms");
        Assert.Equal(StoreErrorKind.Locked, e.Kind);
        Assert.Contains($"Sync 'work' is being run by process {Environment.ProcessId} on {Environment.MachineName} since ", e.Message);
        Assert.Contains("; wait for it or stop it", e.Message);
        Assert.Equal(Store.Locks.PathOf("Work"), e.Path);
        Assert.Equal(Environment.ProcessId, e.Holder!.ProcessId);
        Assert.Equal(Environment.ProcessId, Store.Locks.HolderOf("Work")!.ProcessId);
    }

    [Fact]
    public async Task A_waiting_acquire_gets_the_lock_when_it_is_released()
    {
        var held = Store.Locks.Acquire("Work", TimeSpan.Zero);
        var waiter = Task.Run(() => Store.Locks.Acquire("Work", TimeSpan.FromSeconds(20)));
        await Task.Delay(300);
        Assert.False(waiter.IsCompleted);
        held.Dispose();
        using var got = await waiter;
        Assert.Equal(StoreErrorKind.Locked, Assert.Throws<StoreException>(() => Store.Locks.Acquire("Work", TimeSpan.Zero)).Kind);
    }

    [Fact]
    public void Locks_are_per_sync_and_reusable_after_release()
    {
        using (Store.Locks.Acquire("A", TimeSpan.Zero))
        using (Store.Locks.Acquire("B", TimeSpan.Zero))
        {
            Assert.NotNull(Store.Locks.HolderOf("A"));
        }
        Assert.Null(Store.Locks.HolderOf("A"));
        using (Store.Locks.Acquire("A", TimeSpan.Zero)) { }
    }

    [Fact]
    public void Waiting_can_be_cancelled()
    {
        using var held = Store.Locks.Acquire("Work", TimeSpan.Zero);
        using var cts = new CancellationTokenSource(200);
        var sw = Stopwatch.StartNew();
        Assert.ThrowsAny<OperationCanceledException>(() => Task.Run(() => Store.Locks.Acquire("Work", TimeSpan.FromMinutes(5), cts.Token)).GetAwaiter().GetResult());
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(10));
    }

    [Fact]
    public void Another_process_holding_the_lock_is_named_and_its_lock_is_recovered_after_SIGKILL()
    {
        using var child = LockHolderProcess.Start(_temp.Root, "Work");
        var e = Assert.Throws<StoreException>(() => Store.Locks.Acquire("Work", TimeSpan.FromMilliseconds(500)));
        Assert.Equal(StoreErrorKind.Locked, e.Kind);
        Assert.Contains($"Sync 'Work' is being run by process {child.Id} on {Environment.MachineName} since ", e.Message);
        Assert.Contains("wait for it or stop it", e.Message);

        child.Kill(); // SIGKILL on Unix, TerminateProcess on Windows: no cleanup code runs in the child
        Assert.True(File.Exists(Store.Locks.PathOf("Work")));
        using var mine = Store.Locks.Acquire("Work", TimeSpan.FromSeconds(10));
        Assert.Equal(Environment.ProcessId, mine.Holder.ProcessId);
        Assert.Equal(Environment.ProcessId, Store.Locks.HolderOf("Work")!.ProcessId);
    }

    [Fact]
    public async Task A_process_waiting_for_another_process_gets_the_lock_when_that_one_finishes()
    {
        using var child = LockHolderProcess.Start(_temp.Root, "Work");
        var waiter = Task.Run(() => Store.Locks.Acquire("Work", TimeSpan.FromSeconds(30)));
        await Task.Delay(300);
        Assert.False(waiter.IsCompleted);
        child.Release();
        using var got = await waiter;
    }
}

/// <summary>
/// A real second .NET process that takes a sync lock through the real store code. The test assembly is
/// started as an app (`dotnet CalSync.Store.Tests.dll`; its generated Main does nothing) with itself as a
/// .NET startup hook: <see cref="StartupHook"/> runs first, takes the lock, prints "LOCKED", and holds it until
/// its standard input gets a line or closes, or until it is killed.
/// </summary>
internal sealed class LockHolderProcess : IDisposable
{
    private readonly Process _process;

    private LockHolderProcess(Process process) => _process = process;

    public int Id => _process.Id;

    public static LockHolderProcess Start(string root, string sync)
    {
        var assembly = typeof(StartupHook).Assembly.Location;
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
        var psi = new ProcessStartInfo(dotnet)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(assembly);
        psi.Environment["DOTNET_STARTUP_HOOKS"] = assembly;
        psi.Environment[StartupHook.RootVariable] = root;
        psi.Environment[StartupHook.SyncVariable] = sync;
        var process = Process.Start(psi)!;
        var line = process.StandardOutput.ReadLineAsync();
        if (!line.Wait(TimeSpan.FromSeconds(60)) || line.Result is null || !line.Result.StartsWith("LOCKED", StringComparison.Ordinal))
        {
            var err = process.HasExited ? process.StandardError.ReadToEnd() : "(no answer in 60 s)";
            try { process.Kill(); } catch (InvalidOperationException) { }
            throw new InvalidOperationException($"The lock holder process did not start: {line.Result ?? ""} {err}");
        }
        return new LockHolderProcess(process);
    }

    public void Kill()
    {
        _process.Kill();
        Assert.True(_process.WaitForExit(10_000));
    }

    public void Release() => _process.StandardInput.WriteLine("release");

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited) { _process.Kill(); _process.WaitForExit(10_000); }
        }
        catch (InvalidOperationException) { }
        _process.Dispose();
    }
}
