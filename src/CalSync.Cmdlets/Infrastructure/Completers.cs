using EngineKind = CalSync.Store.ConnectionKind;
using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using CalSync.Engine.Mapping;
using CalSync.Store;

namespace CalSync.PowerShell.Infrastructure;

/// <summary>Completes names read from the per-user store; a store that cannot be read completes nothing.</summary>
public abstract class StoreNameCompleter : IArgumentCompleter
{
    protected abstract IEnumerable<string> Names(CalSyncStore store, string pattern);

    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var word = (wordToComplete ?? "").Trim('\'', '"');
        IEnumerable<string> names;
        try { names = Names(new CalSyncStore(), WildcardPattern.Escape(word) + "*").ToList(); }
        catch (Exception e) when (e is StoreException or System.IO.IOException or UnauthorizedAccessException) { return Array.Empty<CompletionResult>(); }
        return names.Select(n => new CompletionResult(Quote(n), n, CompletionResultType.ParameterValue, n));
    }

    /// <summary>A name as a PowerShell argument: bare when it can be, else single-quoted.</summary>
    internal static string Quote(string name) =>
        name.IndexOfAny(new[] { ' ', '\'', '"', '$', '`', '(', ')', ';', ',', '&', '{', '}', '@', '#' }) < 0 ? name : "'" + name.Replace("'", "''") + "'";
}

/// <summary>Completes sync names.</summary>
public sealed class SyncNameCompleter : StoreNameCompleter
{
    protected override IEnumerable<string> Names(CalSyncStore store, string pattern) =>
        store.Definitions.List(pattern, _ => { }).Select(s => s.Name);
}

/// <summary>Completes connection names of any kind.</summary>
public sealed class ConnectionNameCompleter : StoreNameCompleter
{
    protected override IEnumerable<string> Names(CalSyncStore store, string pattern) =>
        store.Connections.List(pattern, _ => { }).Select(c => c.Name);
}

/// <summary>Completes Outlook connection names.</summary>
public sealed class OutlookConnectionNameCompleter : StoreNameCompleter
{
    protected override IEnumerable<string> Names(CalSyncStore store, string pattern) =>
        store.Connections.List(pattern, _ => { }).Where(c => c.Kind == EngineKind.Outlook).Select(c => c.Name);
}

/// <summary>Completes Bitrix24 connection names.</summary>
public sealed class Bitrix24ConnectionNameCompleter : StoreNameCompleter
{
    protected override IEnumerable<string> Names(CalSyncStore store, string pattern) =>
        store.Connections.List(pattern, _ => { }).Where(c => c.Kind == EngineKind.Bitrix24).Select(c => c.Name);
}

/// <summary>Completes the built-in mapping profile names.</summary>
public sealed class MappingNameCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters) =>
        MappingProfile.BuiltInNames.Where(n => n.StartsWith((wordToComplete ?? "").Trim('\'', '"'), StringComparison.OrdinalIgnoreCase))
            .Select(n => new CompletionResult(n, n, CompletionResultType.ParameterValue, n));
}

/// <summary>
/// Completes the calendar names of the Outlook connection named by -Name (default outlook), read from the account with
/// its saved sign-in (silently; never prompts). No connection, no sign-in or no answer within a few seconds: nothing.
/// </summary>
public sealed class OutlookCalendarNameCompleter : IArgumentCompleter
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(5);

    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var word = (wordToComplete ?? "").Trim('\'', '"');
        var name = fakeBoundParameters?["Name"] as string ?? "outlook";
        try
        {
            var store = new CalSyncStore();
            var factory = new CalSync.PowerShell.Sides.SideFactory(store);
            var connection = factory.Connection(name, EngineKind.Outlook);
            using var timeout = new System.Threading.CancellationTokenSource(Patience);
            var calendars = System.Threading.Tasks.Task.Run(async () =>
            {
                using var side = await factory.OutlookAsync(connection, timeout.Token).ConfigureAwait(false);
                return await side.ListCalendarsAsync(timeout.Token).ConfigureAwait(false);
            }).GetAwaiter().GetResult();
            return calendars.Where(c => c.CanEdit && c.Name.StartsWith(word, StringComparison.OrdinalIgnoreCase))
                .Select(c => new CompletionResult(StoreNameCompleter.Quote(c.Name), c.Name, CompletionResultType.ParameterValue, c.IsDefault ? c.Name + " (default)" : c.Name))
                .ToList();
        }
        catch (Exception) // a completer never fails the command line; it just offers nothing
        {
            return Array.Empty<CompletionResult>();
        }
    }
}
