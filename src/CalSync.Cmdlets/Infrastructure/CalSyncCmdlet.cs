using EngineKind = CalSync.Store.ConnectionKind;
using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Reflection;
using System.Threading;
using System.Threading.Tasks;
using CalSync.Engine.Mapping;
using CalSync.Engine.Sides;
using CalSync.Store;
using CalSync.Engine.Sync;

namespace CalSync.PowerShell.Infrastructure;

/// <summary>
/// What every CalSync cmdlet shares: one <see cref="CancellationTokenSource"/> that <see cref="StopProcessing"/>
/// cancels and every async call uses; the only place that blocks (<see cref="Await{T}"/>), pumping progress,
/// verbose, debug and warning messages from the engine's threads onto the pipeline thread; the per-user store;
/// and error records with a stable id, a category and a target.
/// </summary>
public abstract class CalSyncCmdlet : PSCmdlet, IDisposable
{
    /// <summary>The online help (Get-Help -Online): docs/cmdlets.md of the repository, one anchor per cmdlet.</summary>
    internal const string HelpBase = "https://github.com/calsync/calsync/blob/main/docs/cmdlets.md#";

    private readonly CancellationTokenSource _cancel = new();
    private BlockingCollection<Action>? _pump;
    private CalSyncStore? _store;

    protected CancellationToken Cancellation => _cancel.Token;

    protected override void StopProcessing() => _cancel.Cancel();

    /// <summary>
    /// -Debug shows the debug stream and never asks. On a compiled cmdlet PowerShell (7.6 too) also makes warnings, and
    /// with a host UI verbose lines, Inquire: "Continue with this operation?" then stops a run that no one can answer
    /// (pwsh -NonInteractive, a scheduled task, a hosted runspace). As for advanced functions since 7.4, they are shown
    /// instead (Continue); -Verbose and -WarningAction given with -Debug still decide. PowerShell offers no public way
    /// to say so: the runtime's own settings for -Verbose and -WarningAction are set (left alone where a version lacks
    /// them). Sealed so no cmdlet loses this: override <see cref="Begin"/> instead.
    /// </summary>
    protected sealed override void BeginProcessing()
    {
        if (IsSwitchOn("Debug"))
            foreach (var (parameter, setting, value) in new (string, string, object)[] { ("Verbose", "Verbose", true), ("WarningAction", "WarningPreference", ActionPreference.Continue) })
                if (!MyInvocation.BoundParameters.ContainsKey(parameter)
                    && CommandRuntime.GetType().GetProperty(setting, BindingFlags.Instance | BindingFlags.NonPublic) is { CanWrite: true } property)
                    property.SetValue(CommandRuntime, value);
        Begin();
    }

    /// <summary>What a cmdlet does in BeginProcessing.</summary>
    protected virtual void Begin()
    {
    }

    public void Dispose()
    {
        _cancel.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>The per-user store ($env:CALSYNC_HOME or the platform default), opened once per command.</summary>
    protected CalSyncStore Store
    {
        get
        {
            if (_store is not null) return _store;
            try { return _store = new CalSyncStore(); }
            catch (StoreException e) { ThrowTerminatingError(StoreError(e, null)); throw; }
        }
    }

    /// <summary>The syncs a name or wildcard pattern names; a name that names none is an error (SyncNotFound).</summary>
    protected IReadOnlyList<SyncDefinition> Definitions(string pattern)
    {
        var definitions = new List<SyncDefinition>();
        Guard(pattern, () =>
        {
            if (WildcardPattern.ContainsWildcardCharacters(pattern))
                definitions.AddRange(Store.Definitions.List(pattern, e => WriteError(StoreError(e, e.Path))));
            else
                definitions.Add(Store.Definitions.Get(pattern) ?? throw new CalSyncException(ErrorIds.SyncNotFound, $"There is no sync named '{pattern}'. List the syncs with Get-CalSync, or define one with New-CalSync."));
        });
        return definitions;
    }

    /// <summary>Blocks on async work; callbacks given to <see cref="Post"/> meanwhile run here, on the pipeline thread.</summary>
    protected T Await<T>(Func<CancellationToken, Task<T>> work)
    {
        using var pump = new BlockingCollection<Action>();
        var previous = _pump;
        _pump = pump;
        try
        {
            var task = Task.Run(() => work(_cancel.Token));
            task.ContinueWith(_ => pump.CompleteAdding(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            PipelineStoppedException? stopped = null;
            foreach (var action in pump.GetConsumingEnumerable())
            {
                if (stopped is not null) continue;
                // Stopped: a message can no longer be written, but the work still finishes what it must (a run saves
                // what it wrote, a probe deletes its scratch calendar) before the stop is reported.
                try { action(); }
                catch (PipelineStoppedException e) { stopped = e; }
            }
            if (stopped is not null) throw stopped;
            return task.GetAwaiter().GetResult();
        }
        finally { _pump = previous; }
    }

    protected void Await(Func<CancellationToken, Task> work) =>
        Await<bool>(async ct => { await work(ct).ConfigureAwait(false); return true; });

    /// <summary>Runs <paramref name="action"/> on the pipeline thread (from any thread, while <see cref="Await{T}"/> pumps).</summary>
    protected void Post(Action action)
    {
        var pump = _pump;
        if (pump is null) return;
        try { pump.Add(action); }
        catch (InvalidOperationException) { } // the work already finished (ObjectDisposedException included)
    }

    /// <summary>
    /// Before a connection is removed: the syncs that use it, named in the -WhatIf/-Confirm text; without -Force they
    /// stop the removal (they would fail at their next run). False when the removal must not go on.
    /// </summary>
    protected bool ShouldRemoveConnection(CalSyncStore store, string name, EngineKind kind, string what, string action, bool force)
    {
        var users = store.Definitions.List(null, _ => { })
            .Where(s => string.Equals(kind == EngineKind.Outlook ? s.OutlookConnection : s.Bitrix24Connection, name, StringComparison.OrdinalIgnoreCase))
            .Select(s => s.Name).ToList();
        var list = string.Join(", ", users);
        if (!ShouldProcess(users.Count == 0 ? what : $"{what}, used by the sync(s) {list}", action)) return false;
        if (users.Count == 0) return true;
        var reconnect = kind == EngineKind.Outlook ? "Connect-OutlookCalendar" : "Connect-Bitrix24";
        var disconnect = kind == EngineKind.Outlook ? "Disconnect-OutlookCalendar" : "Disconnect-Bitrix24";
        if (!force)
            throw new CalSyncException(ErrorIds.ConnectionInUse,
                $"The sync(s) {list} use the connection '{name}'. Point them at another connection with Set-CalSync, or remove them with Remove-CalSync; " +
                $"or run {disconnect} -Name {StoreNameCompleter.Quote(name)} -Force to remove it anyway (they then fail until you run {reconnect} -Name {StoreNameCompleter.Quote(name)} again).");
        WriteWarning($"The sync(s) {list} use the connection '{name}'; they fail until you connect again with {reconnect} -Name {StoreNameCompleter.Quote(name)}.");
        return true;
    }

    protected void PostVerbose(string message) => Post(() => WriteVerbose(message));
    protected void PostDebug(string message) => Post(() => WriteDebug(message));
    protected void PostWarning(string message) => Post(() => WriteWarning(message));

    // ---- errors ----------------------------------------------------------------------------------------

    protected static ErrorRecord Error(string id, ErrorCategory category, object? target, string message, Exception? inner = null) =>
        new(new CalSyncException(id, message, inner), id, category, target);

    protected static ErrorRecord StoreError(StoreException e, object? target) =>
        new(e, e.ErrorId, e.Kind switch
        {
            StoreErrorKind.Corrupt or StoreErrorKind.NewerSchema => ErrorCategory.InvalidData,
            StoreErrorKind.Locked => ErrorCategory.ResourceBusy,
            StoreErrorKind.InvalidName => ErrorCategory.InvalidArgument,
            StoreErrorKind.NotFound => ErrorCategory.ObjectNotFound,
            StoreErrorKind.AccessDenied => ErrorCategory.PermissionDenied,
            StoreErrorKind.NoStoreRoot or StoreErrorKind.KeyStoreUnavailable => ErrorCategory.ResourceUnavailable,
            StoreErrorKind.SecretInClearText => ErrorCategory.SecurityError,
            _ => ErrorCategory.WriteError,
        }, target ?? e.Path);

    protected static ErrorRecord MappingError(MappingException e, object? target) =>
        new(e, ErrorIds.MappingInvalid, ErrorCategory.InvalidData, target ?? e.File);

    protected static ErrorRecord SideError(SideUnavailableException e, object? target) =>
        new(e, e.IsAuthentication ? ErrorIds.SignInRequired : ErrorIds.SideUnavailable,
            e.IsAuthentication ? ErrorCategory.AuthenticationError : ErrorCategory.ConnectionError, target);

    /// <summary>Turns the engine's and store's exceptions into error records; null for anything else (a bug: let it surface).</summary>
    protected static ErrorRecord? Known(Exception e, object? target) => e switch
    {
        CalSyncException c => new ErrorRecord(c, c.ErrorId, CategoryOf(c.ErrorId), target),
        StoreException s => StoreError(s, target),
        MappingException m => MappingError(m, target),
        SideUnavailableException side => SideError(side, target),
        AggregateException { InnerExceptions.Count: 1 } a => Known(a.InnerException!, target),
        _ => null,
    };

    private static ErrorCategory CategoryOf(string id) => id switch
    {
        ErrorIds.SyncNotFound or ErrorIds.ConnectionNotFound or ErrorIds.ScheduleNotFound => ErrorCategory.ObjectNotFound,
        ErrorIds.SyncExists or ErrorIds.FileExists or ErrorIds.CalendarPairInUse => ErrorCategory.ResourceExists,
        ErrorIds.SignInRequired or ErrorIds.SignInFailed => ErrorCategory.AuthenticationError,
        ErrorIds.ConnectionSecretMissing => ErrorCategory.AuthenticationError,
        ErrorIds.ConnectionKindMismatch or ErrorIds.WebhookUrlInvalid or ErrorIds.ClientIdRequired or ErrorIds.MeetingInvalid
            or ErrorIds.ScheduleIntervalInvalid or ErrorIds.InvalidSetting => ErrorCategory.InvalidArgument,
        ErrorIds.ScheduleNotSupported => ErrorCategory.NotImplemented,
        ErrorIds.ConnectionSessionOnly => ErrorCategory.InvalidOperation,
        ErrorIds.ConnectionInUse => ErrorCategory.ResourceBusy,
        ErrorIds.Bitrix24ConnectFailed or ErrorIds.OutlookConnectFailed => ErrorCategory.ConnectionError,
        ErrorIds.Bitrix24CalendarInvalid => ErrorCategory.InvalidArgument,
        _ => ErrorCategory.NotSpecified,
    };

    /// <summary>Runs <paramref name="body"/>; a known failure becomes a non-terminating error (or terminating when <paramref name="terminating"/>).</summary>
    protected bool Guard(object? target, Action body, bool terminating = false)
    {
        try
        {
            body();
            return true;
        }
        catch (Exception e) when (Known(e, target) is { } record)
        {
            if (terminating) ThrowTerminatingError(record);
            WriteError(record);
            return false;
        }
    }

    /// <summary>True when -WhatIf is in effect (the parameter or $WhatIfPreference).</summary>
    protected bool IsWhatIf() =>
        MyInvocation.BoundParameters.ContainsKey("WhatIf") ? IsSwitchOn("WhatIf") : LanguagePrimitives.IsTrue(SessionState.PSVariable.GetValue("WhatIfPreference"));

    private bool IsSwitchOn(string parameter) =>
        MyInvocation.BoundParameters.TryGetValue(parameter, out var value) && (value is SwitchParameter s ? s.IsPresent : LanguagePrimitives.IsTrue(value));

    /// <summary>
    /// Whether this session may interact with a person: false under pwsh -NonInteractive, in a runspace without a
    /// host UI (the default host), and when the host says it is non-interactive.
    /// </summary>
    protected bool IsInteractive()
    {
        if (Host?.UI is null || Host.Name == "Default Host") return false;
        foreach (var arg in Environment.GetCommandLineArgs())
        {
            var a = arg.TrimStart('-', '/');
            if (a.Length >= 4 && "noninteractive".StartsWith(a, StringComparison.OrdinalIgnoreCase)) return false;
        }
        return true;
    }
}
