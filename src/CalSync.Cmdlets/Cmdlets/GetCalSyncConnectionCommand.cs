using System.Management.Automation;
using CalSync.PowerShell.Infrastructure;

namespace CalSync.PowerShell.Cmdlets;

/// <summary>Lists the saved connections (never their secrets).</summary>
[Cmdlet(VerbsCommon.Get, "CalSyncConnection", HelpUri = CalSyncCmdlet.HelpBase + "get-calsyncconnection")]
[OutputType(typeof(CalSyncConnection))]
public sealed class GetCalSyncConnectionCommand : CalSyncCmdlet
{
    /// <summary>Connection names; wildcards allowed (default: all).</summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(ConnectionNameCompleter))]
    [SupportsWildcards]
    public string[]? Name { get; set; }

    /// <summary>Only connections of this kind.</summary>
    [Parameter]
    public ConnectionKind? Kind { get; set; }

    protected override void ProcessRecord()
    {
        foreach (var pattern in Name ?? new[] { "*" })
        {
            var found = false;
            Guard(pattern, () =>
            {
                foreach (var c in Store.Connections.List(pattern, e => WriteError(StoreError(e, e.Path))))
                {
                    found = true;
                    if (Kind is null || EnumMap.To<ConnectionKind>(c.Kind) == Kind) WriteObject(new CalSyncConnection(c));
                }
            });
            if (!found && !WildcardPattern.ContainsWildcardCharacters(pattern))
                WriteError(Error(ErrorIds.ConnectionNotFound, ErrorCategory.ObjectNotFound, pattern, $"There is no connection named '{pattern}'."));
        }
    }
}
