namespace CalSync.Cmdlets.Tests.Support;

/// <summary>The test assembly as a program: child processes of tests that need a process of their own.</summary>
public static class Program
{
    public static int Main(string[] args) =>
        args is [ImportProbe.Command, var manifest] ? ImportProbe.Run(manifest) : 2;
}
