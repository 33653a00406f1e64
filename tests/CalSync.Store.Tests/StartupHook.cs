using CalSync.Store;

/// <summary>
/// .NET startup hook (must be named StartupHook, in no namespace) used only by the store's cross-process lock
/// tests: when the test assembly is started as a child process with DOTNET_STARTUP_HOOKS pointing at itself and
/// the variables below set, it holds a sync lock. In the test host itself the variables are not set and it is
/// never called.
/// </summary>
internal static class StartupHook
{
    internal const string RootVariable = "CALSYNC_TEST_LOCK_ROOT";
    internal const string SyncVariable = "CALSYNC_TEST_LOCK_SYNC";

    public static void Initialize()
    {
        var root = Environment.GetEnvironmentVariable(RootVariable);
        var sync = Environment.GetEnvironmentVariable(SyncVariable);
        if (string.IsNullOrEmpty(root) || string.IsNullOrEmpty(sync)) return;
        try
        {
            var store = new CalSyncStore(root);
            using (store.Locks.Acquire(sync, TimeSpan.FromSeconds(30)))
            {
                Console.Out.WriteLine("LOCKED " + Environment.ProcessId);
                Console.Out.Flush();
                Console.In.ReadLine(); // a line or end of input (parent gone) releases
            }
            Environment.Exit(0);
        }
        catch (Exception e)
        {
            Console.Out.WriteLine("FAILED " + e.Message);
            Environment.Exit(3);
        }
    }
}
