using System.Management.Automation;
using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using CalSync.Cmdlets.Tests.Support;

namespace CalSync.Cmdlets.Tests;

/// <summary>The built module as a PowerShell engineer inspects it: manifest, exports, help, output types, layout.</summary>
public sealed class ModuleTests : IClassFixture<ModuleTests.Session>, IDisposable
{
    public sealed class Session : IDisposable
    {
        public PsSession Ps { get; } = new();
        public void Dispose() => Ps.Dispose();
    }

    private static readonly string[] Expected =
    {
        "Connect-Bitrix24", "Connect-OutlookCalendar", "Disconnect-Bitrix24", "Disconnect-OutlookCalendar", "Export-CalSyncMapping",
        "Get-CalSync", "Get-CalSyncConnection", "Get-CalSyncHistory", "Get-CalSyncPlan", "Get-CalSyncStatus", "New-CalSync", "Register-CalSyncSchedule", "Remove-CalSync",
        "Remove-CalSyncCopy", "Reset-CalSync", "Set-CalSync", "Start-CalSync", "Test-CalSyncMapping", "Test-CalSyncService", "Unregister-CalSyncSchedule",
    };

    private readonly PsSession _ps;
    private readonly StoreHome _home = new();

    public ModuleTests(Session session) => _ps = session.Ps;

    public void Dispose() => _home.Dispose();

    [Fact]
    public void Test_ModuleManifest_passes_and_declares_core_edition_formats_and_explicit_exports()
    {
        var r = _ps.Run("Test-ModuleManifest -Path $p", new Dictionary<string, object?> { ["p"] = Paths.Manifest }).Ok();
        var module = r.Single<PSModuleInfo>();
        Assert.Equal("CalSync", module.Name);
        Assert.Equal(new[] { "Core" }, module.CompatiblePSEditions);
        Assert.Equal(new Version(7, 4), module.PowerShellVersion);
        Assert.Equal(Expected, module.ExportedCmdlets.Keys.OrderBy(k => k, StringComparer.Ordinal));
        Assert.Contains("CalSync.Format.ps1xml", module.ExportedFormatFiles.Select(Path.GetFileName));
        var manifest = File.ReadAllText(Paths.Manifest);
        Assert.DoesNotContain("'*'", manifest);
    }

    [Fact]
    public void Manifest_exports_equal_the_commands_the_imported_module_has()
    {
        var r = _ps.Run("Get-Command -Module CalSync | ForEach-Object Name").Ok();
        Assert.Equal(Expected, r.Output.Select(o => (string)o.BaseObject).OrderBy(n => n, StringComparer.Ordinal));
        // Import-PowerShellDataFile is in Microsoft.PowerShell.Utility, absent in the hosted engine: read the manifest through Test-ModuleManifest.
        var viaManifest = _ps.Run("(Test-ModuleManifest -Path $p).ExportedCmdlets.Keys", new Dictionary<string, object?> { ["p"] = Paths.Manifest }).Ok();
        Assert.Equal(r.Output.Select(o => (string)o.BaseObject).OrderBy(n => n), viaManifest.Output.Select(o => (string)o.BaseObject).OrderBy(n => n));
    }

    [Fact]
    public void Every_cmdlet_uses_an_approved_verb_declares_OutputType_and_state_changers_support_ShouldProcess()
    {
        var approved = typeof(VerbsCommon).Assembly.GetTypes()
            .Where(t => t.Name.StartsWith("Verbs", StringComparison.Ordinal) && t.IsAbstract && t.IsSealed)
            .SelectMany(t => t.GetFields(BindingFlags.Public | BindingFlags.Static)).Select(f => (string)f.GetValue(null)!).ToHashSet();
        var r = _ps.Run("Get-Command -Module CalSync").Ok();
        foreach (var cmd in r.Output.Select(o => (CmdletInfo)o.BaseObject))
        {
            Assert.Contains(cmd.Verb, approved);
            Assert.NotEmpty(cmd.OutputType);
            var attribute = cmd.ImplementingType.GetCustomAttribute<CmdletAttribute>()!;
            if (cmd.Verb is not ("Get" or "Test"))
                Assert.True(attribute.SupportsShouldProcess, cmd.Name + " changes state and must support ShouldProcess");
            var output = cmd.OutputType[0].Type?.FullName ?? cmd.OutputType[0].Name;
            Assert.True(output.StartsWith("CalSync.PowerShell.", StringComparison.Ordinal) || output == "System.IO.FileInfo", cmd.Name + ": " + output);
        }
    }

    /// <summary>Issue 18, case 4: help that reads as PowerShell help: no .NET type garbage, WhatIf/Confirm where they apply, defaults, inputs, an online page.</summary>
    [Fact]
    public void Get_Help_shows_clean_syntax_with_WhatIf_and_Confirm_for_every_cmdlet_that_changes_something()
    {
        foreach (var name in Expected)
        {
            var types = _ps.Run($"(Get-Help {name} -Full).parameters.parameter | ForEach-Object {{ [string]$_.parameterValue; [string]$_.type.name }}").Ok().Output.Select(o => o.ToString()).ToList();
            Assert.DoesNotContain(types, t => t.Contains("Culture=") || t.Contains("PublicKeyToken"));
            var supportsWhatIf = (bool)_ps.Run($"(Get-Command {name}).Parameters.ContainsKey('WhatIf')").Ok().Output[0].BaseObject;
            var sets = _ps.Run($"(Get-Help {name}).syntax.syntaxItem | ForEach-Object {{ @($_.parameter.name) -join ' ' }}").Ok().Output.Select(o => o.ToString()).ToList();
            Assert.NotEmpty(sets);
            Assert.All(sets, set => Assert.True(supportsWhatIf == (set.Split(' ').Contains("WhatIf") && set.Split(' ').Contains("Confirm")), $"{name}: {set}"));
            // Get-Help -Online: the cmdlet's section of the repository's docs/cmdlets.md; INPUTS and default values filled.
            Assert.Equal("https://github.com/calsync/calsync/blob/main/docs/cmdlets.md#" + name.ToLowerInvariant(), _ps.Run($"(Get-Command {name}).HelpUri").Ok().Output[0].ToString());
            Assert.Contains("## " + name + "\n", File.ReadAllText(Path.Combine(Paths.RepoRoot, "docs", "cmdlets.md")).Replace("\r\n", "\n"));
            Assert.NotEmpty(_ps.Run($"(Get-Help {name}).inputTypes.inputType.type.name").Ok().Output);
            var undefaulted = _ps.Run($"(Get-Help {name}).parameters.parameter | Where-Object {{ -not \"$($_.defaultValue)\".Trim() }} | ForEach-Object name").Ok().Output;
            Assert.True(undefaulted.Count == 0, $"{name}: no default value for {string.Join(", ", undefaulted)}");
        }
    }

    [Fact]
    public void Get_Help_Examples_works_for_every_cmdlet_with_at_least_two_examples_and_every_parameter_described()
    {
        foreach (var name in Expected)
        {
            var r = _ps.Run($"Get-Help {name} -Full").Ok();
            var help = Assert.Single(r.Output);
            Assert.False(string.IsNullOrWhiteSpace(help.Properties["Synopsis"]?.Value?.ToString()), name);
            Assert.DoesNotContain(name + " [", help.Properties["Synopsis"]!.Value!.ToString()!); // not the auto-generated syntax
            var examples = _ps.Run($"@((Get-Help {name} -Examples).examples.example).Count").Ok();
            Assert.True((int)examples.Output[0].BaseObject >= 2, $"{name} has fewer than two examples");
            var undocumented = _ps.Run($@"(Get-Help {name}).parameters.parameter | Where-Object {{ -not ($_.description | ForEach-Object Text) }} | ForEach-Object name").Ok();
            Assert.True(undocumented.Output.Count == 0, $"{name}: undescribed parameters {string.Join(", ", undocumented.Output)}");
        }
        var startExamples = _ps.Run("Get-Help Start-CalSync -Examples | Out-Default").Ok();
        Assert.Contains("-InitialMerge TwoWay", startExamples.HostText);
        var about = _ps.Run("Get-Help about_CalSync").Ok();
        Assert.Contains("Export-CalSyncMapping", about.Output[0].ToString());
    }

    [Fact]
    public void The_cmdlet_assembly_references_none_of_the_isolated_libraries()
    {
        using var stream = File.OpenRead(Path.Combine(Paths.ModuleDirectory, "CalSync.Cmdlets.dll"));
        using var pe = new PEReader(stream);
        var md = pe.GetMetadataReader();
        var references = md.AssemblyReferences.Select(h => md.GetString(md.GetAssemblyReference(h).Name)).ToList();
        Assert.Contains("CalSync.Engine", references);
        foreach (var forbidden in new[] { "Microsoft.Identity", "Microsoft.Graph", "Microsoft.Kiota", "YamlDotNet", "Polly", "TimeZoneConverter", "Azure." })
            Assert.DoesNotContain(references, r => r.StartsWith(forbidden, StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void Layout_is_the_cmdlet_dll_in_the_root_and_the_allow_listed_dependencies_in_Dependencies()
    {
        var root = Paths.ModuleDirectory;
        Assert.Equal(new[] { "CalSync.Cmdlets.dll" }, Directory.GetFiles(root, "*.dll").Select(Path.GetFileName));
        foreach (var file in new[] { "CalSync.psd1", "CalSync.Format.ps1xml", "en-US/CalSync.Cmdlets.dll-Help.xml", "en-US/about_CalSync.help.txt",
                     "mappings/default.yaml", "mappings/busy-only.yaml", "mappings/busy-only-one-way.yaml" })
            Assert.True(File.Exists(Path.Combine(root, file)), file);
        var deps = Directory.GetFiles(Path.Combine(root, "Dependencies"), "*.dll").Select(Path.GetFileNameWithoutExtension).ToHashSet();
        foreach (var name in new[] { "CalSync.Engine", "CalSync.Store", "CalSync.Outlook", "CalSync.Bitrix24", "CalSync.Cmdlets.Loader", "Microsoft.Identity.Client", "Microsoft.Graph", "Microsoft.Kiota.Abstractions", "YamlDotNet", "TimeZoneConverter" })
            Assert.Contains(name, deps);
        Assert.DoesNotContain("System.Management.Automation", deps);
        // net8.0: the framework's own copies serve; the netstandard2.0 polyfills are not in the graph, so not shipped.
        foreach (var polyfill in new[] { "System.Text.Json", "System.Text.Encodings.Web", "System.IO.Pipelines", "System.Formats.Asn1", "Microsoft.Bcl.Cryptography", "Microsoft.Bcl.TimeProvider", "System.Memory", "System.Buffers" })
            Assert.DoesNotContain(polyfill, deps);
        var allowList = File.ReadAllText(Path.Combine(Paths.RepoRoot, "src", "CalSync.Cmdlets", "Module.targets"));
        foreach (var dep in deps) Assert.Contains(dep!, allowList);
        Assert.Equal(File.ReadAllText(Path.Combine(Paths.RepoRoot, "src", "CalSync.Engine", "Mapping", "Profiles", "busy-only.yaml")),
            File.ReadAllText(Path.Combine(root, "mappings", "busy-only.yaml")));
    }

    [Fact]
    public void The_third_party_code_every_run_executes_is_precompiled_with_CalSyncs_own()
    {
        // Module.targets precompiles (ReadyToRun) on linux-x64 build hosts only; elsewhere everything ships as IL.
        static bool Precompiled(string name)
        {
            using var stream = File.OpenRead(Path.Combine(Paths.ModuleDirectory, "Dependencies", name + ".dll"));
            using var pe = new PEReader(stream);
            return pe.PEHeaders.CorHeader!.ManagedNativeHeaderDirectory.Size > 0;
        }
        var readyToRun = Precompiled("CalSync.Engine");
        if (System.Runtime.InteropServices.RuntimeInformation.RuntimeIdentifier == "linux-x64") Assert.True(readyToRun, "CalSync.Engine is not ReadyToRun on a linux-x64 build host");
        foreach (var name in new[] { "CalSync.Store", "CalSync.Outlook", "CalSync.Bitrix24", "Microsoft.Kiota.Abstractions", "Microsoft.Kiota.Http.HttpClientLibrary",
                     "Microsoft.Kiota.Serialization.Json", "Microsoft.Graph.Core", "Std.UriTemplate", "Microsoft.Identity.Client",
                     "Microsoft.Identity.Client.Extensions.Msal", "YamlDotNet", "TimeZoneConverter", "Polly.Core" })
            Assert.True(Precompiled(name) == readyToRun, $"{name}: ReadyToRun {!readyToRun}, CalSync.Engine {readyToRun}");
        // Not worth its size (44 MB of IL; a run uses a few request builders).
        Assert.False(Precompiled("Microsoft.Graph"));
    }

    [Fact]
    public void Argument_completers_offer_sync_and_connection_names_from_the_store()
    {
        Directory.CreateDirectory(_home.File("syncs"));
        Directory.CreateDirectory(_home.File("connections"));
        // Files as the store writes them (the tests reach the store only through the cmdlets or its files).
        File.WriteAllText(_home.File("connections", "work-outlook.json"), """{"schema":1,"name":"work-outlook","kind":"Outlook","settings":{}}""");
        File.WriteAllText(_home.File("connections", "work-b24.json"), """{"schema":1,"name":"work-b24","kind":"Bitrix24","settings":{}}""");
        File.WriteAllText(_home.File("syncs", "work.json"), """{"schema":1,"name":"Work","outlookConnection":"work-outlook","bitrix24Connection":"work-b24"}""");
        File.WriteAllText(_home.File("syncs", "weekend.json"), """{"schema":1,"name":"Weekend","outlookConnection":"work-outlook","bitrix24Connection":"work-b24"}""");

        string[] Complete(string line) => _ps.Run("(TabExpansion2 -inputScript $l -cursorColumn $l.Length).CompletionMatches | ForEach-Object CompletionText",
            new Dictionary<string, object?> { ["l"] = line }).Ok().Output.Select(o => o.ToString()).ToArray();

        Assert.Equal(new[] { "Work" }, Complete("Start-CalSync -Name Wo"));
        Assert.Equal(new[] { "Weekend", "Work" }, Complete("Get-CalSyncHistory -Name W").OrderBy(s => s));
        Assert.Equal(new[] { "work-outlook" }, Complete("New-CalSync -Name x -OutlookConnection wo"));
        Assert.Equal(new[] { "work-b24" }, Complete("Disconnect-Bitrix24 -Name w"));
        Assert.Equal(new[] { "work-b24", "work-outlook" }, Complete("Get-CalSyncConnection -Name work").OrderBy(s => s));
        Assert.Contains("busy-only", Complete("New-CalSync -Name x -Mapping bu"));
    }
}
