using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using CalSync.Engine.Sync;

namespace CalSync.PowerShell.Infrastructure;

/// <summary>What the cmdlets that read syncs share: an optional -Name (wildcards, default all, from the pipeline).</summary>
public abstract class SyncListCmdlet : CalSyncCmdlet
{
    /// <summary>Sync names; wildcards allowed (default: all). Binds from Get-CalSync output.</summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(SyncNameCompleter))]
    [Alias("SyncName")]
    [SupportsWildcards]
    public string[]? Name { get; set; }

    /// <summary>The syncs -Name names, all without it; a name that names none is an error (SyncNotFound).</summary>
    protected IEnumerable<SyncDefinition> NamedSyncs() => (Name ?? new[] { "*" }).SelectMany(Definitions);
}
