using System;
using CalSync.Store;

namespace CalSync.PowerShell;

/// <summary>
/// The switches that opt into the plaintext fallback where no OS key store works. The engine's KeyStoreUnavailable
/// error says what is missing but cannot know the cmdlets, so the cmdlet layer adds which command and switch to use.
/// </summary>
internal static class KeyStoreOptIn
{
    public const string OutlookCommand = "Connect-OutlookCalendar";
    public const string Bitrix24Command = "Connect-Bitrix24";

    /// <summary><paramref name="e"/> with the opt-in named when it is a KeyStoreUnavailable error; otherwise <paramref name="e"/> itself.</summary>
    public static Exception Explain(Exception e, string command)
    {
        if (e is not StoreException { Kind: StoreErrorKind.KeyStoreUnavailable } unavailable) return e;
        var optIn = command == OutlookCommand ? "-AllowPlaintextTokenCache" : "-AllowPlaintextSecretStore";
        return new StoreException(unavailable.Kind, $"{unavailable.Message} To use that fallback, run {command} again with {optIn}.",
            unavailable.Path, unavailable);
    }
}
