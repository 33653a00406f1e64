using System;

namespace CalSync.Store;

/// <summary>What went wrong in the store; the cmdlet layer turns it into an error id (<see cref="StoreException.ErrorId"/>).</summary>
public enum StoreErrorKind
{
    /// <summary>A file is not valid JSON, is truncated, lacks its schema, or does not have the expected shape.</summary>
    Corrupt,
    /// <summary>A file was written by a newer CalSync (its schema is higher than this version reads).</summary>
    NewerSchema,
    /// <summary>Another run (this or another process) holds the sync's lock.</summary>
    Locked,
    /// <summary>A sync, connection or secret name has a character or form that is not allowed.</summary>
    InvalidName,
    /// <summary>A named item does not exist.</summary>
    NotFound,
    /// <summary>Reading or writing failed (disk full, I/O error); a failed save leaves the previous file unchanged.</summary>
    Io,
    /// <summary>The operating system refused access to a store file or directory.</summary>
    AccessDenied,
    /// <summary>No per-user store directory could be determined or created (e.g. a service account without a profile).</summary>
    NoStoreRoot,
    /// <summary>No OS key store works here and the caller did not opt into the plaintext fallback.</summary>
    KeyStoreUnavailable,
    /// <summary>A value that must not be stored in clear text (a webhook URL with its key, a token) was given to a non-secret field.</summary>
    SecretInClearText,
}

/// <summary>
/// An error of the per-user store. The message names the file and what to do; it never contains a secret
/// or file content.
/// </summary>
public sealed class StoreException : Exception
{
    public StoreException(StoreErrorKind kind, string message, string? path = null, Exception? inner = null)
        : base(message, inner)
    {
        Kind = kind;
        Path = path;
    }

    public StoreErrorKind Kind { get; }

    /// <summary>The file or directory concerned, when there is one.</summary>
    public string? Path { get; }

    /// <summary>A stable id for scripts, e.g. <c>CalSync.Store.Corrupt</c>.</summary>
    public string ErrorId => "CalSync.Store." + Kind;

    /// <summary>For <see cref="StoreErrorKind.Locked"/>: who holds the lock (null when unknown).</summary>
    public LockHolder? Holder { get; internal set; }
}
