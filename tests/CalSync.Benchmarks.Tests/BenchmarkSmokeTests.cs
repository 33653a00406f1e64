using CalSync.Benchmarks;
using Xunit;

namespace CalSync.Benchmarks.Tests;

/// <summary>
/// The benchmark's smoke mode (tiny sizes, real limits on): it completes and the request-count identities hold
/// (what the clients sent is what the services saw; every engine write is one write request). No timing is asserted.
/// </summary>
public class BenchmarkSmokeTests
{
    [Fact]
    public async Task Smoke_run_completes_and_request_counts_add_up()
    {
        var options = Program.Parse(new[] { "--smoke", "--in-process" })! with { Log = _ => { } };

        var rows = await Program.RunAsync(options);

        Assert.Contains(rows, r => r.Id == "1");
        Assert.Contains(rows, r => r.Id == "2");
        Assert.Contains(rows, r => r.Id == "3");
        Assert.Contains(rows, r => r.Id == "4");
        Assert.Contains(rows, r => r.Id == "6c");
        Assert.All(rows, r => Assert.True(r.Problems.Count == 0, r.Id + ": " + string.Join("; ", r.Problems)));
        // A no-op run is one Graph delta page and one Bitrix24 batch, writing nothing.
        foreach (var noOp in rows.Where(r => r.Id is "1c" or "2" or "2w" or "2s" or "4" or "4w"))
        {
            Assert.Equal(1, noOp.Graph.Http);
            Assert.Equal(1, noOp.Bitrix24.Http);
            Assert.Equal(0, noOp.Graph.AllWrites + noOp.Bitrix24.AllWrites);
        }
        Assert.False(string.IsNullOrEmpty(Program.Table(rows, options)));
    }

    [Fact]
    public void Child_environment_options_are_collected_and_a_malformed_one_is_refused()
    {
        var options = Program.Parse(new[] { "--child-env", "DOTNET_TieredPGO=0", "--child-env", "DOTNET_TC_X=a=b" })!;
        Assert.Equal("0", options.ChildEnvironment["DOTNET_TieredPGO"]);
        Assert.Equal("a=b", options.ChildEnvironment["DOTNET_TC_X"]);
        var e = Assert.Throws<ArgumentException>(() => Program.Parse(new[] { "--child-env", "DOTNET_TieredPGO" }));
        Assert.Contains("NAME=VALUE", e.Message);
    }
}
