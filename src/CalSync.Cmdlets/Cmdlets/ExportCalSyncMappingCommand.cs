using System.IO;
using System.Management.Automation;
using CalSync.Engine.Mapping;
using CalSync.PowerShell.Infrastructure;

namespace CalSync.PowerShell.Cmdlets;

/// <summary>Writes a built-in mapping profile to a YAML file, to edit and use with New-CalSync -MappingPath.</summary>
[Cmdlet(VerbsData.Export, "CalSyncMapping", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low, HelpUri = CalSyncCmdlet.HelpBase + "export-calsyncmapping")]
[OutputType(typeof(FileInfo))]
public sealed class ExportCalSyncMappingCommand : CalSyncCmdlet
{
    /// <summary>The built-in profile: default, busy-only or busy-only-one-way.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ArgumentCompleter(typeof(MappingNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string Name { get; set; } = "";

    /// <summary>The file to write.</summary>
    [Parameter(Mandatory = true, Position = 1)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = "";

    /// <summary>Replace an existing file.</summary>
    [Parameter] public SwitchParameter Force { get; set; }

    /// <summary>Output the written file.</summary>
    [Parameter] public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        var full = GetUnresolvedProviderPathFromPSPath(Path);
        Guard(full, () =>
        {
            var text = MappingLoader.BuiltInText(Name);
            if (File.Exists(full) && !Force)
                throw new CalSyncException(ErrorIds.FileExists, $"The file '{full}' exists. Use -Force to replace it.");
            if (!ShouldProcess(full, $"Write the built-in mapping profile '{Name}'")) return;
            var directory = System.IO.Path.GetDirectoryName(full);
            if (!string.IsNullOrEmpty(directory)) Directory.CreateDirectory(directory);
            File.WriteAllText(full, text, new System.Text.UTF8Encoding(false));
            if (PassThru) WriteObject(new FileInfo(full));
        });
    }
}
