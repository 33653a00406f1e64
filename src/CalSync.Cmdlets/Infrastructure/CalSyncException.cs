using System;

namespace CalSync.PowerShell;

/// <summary>The exception behind CalSync's own error records; the record's FullyQualifiedErrorId is the stable id.</summary>
public sealed class CalSyncException : Exception
{
    public CalSyncException(string errorId, string message, Exception? inner = null) : base(message, inner) => ErrorId = errorId;

    /// <summary>The stable error id (e.g. SyncNotFound, EmptySideGuard, SignInRequired).</summary>
    public string ErrorId { get; }
}
