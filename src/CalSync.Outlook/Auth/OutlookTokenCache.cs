using System.Threading.Tasks;
using CalSync.Store;
using Microsoft.Identity.Client;

namespace CalSync.Outlook.Auth;

/// <summary>
/// Keeps MSAL's token cache between runs through the store's <see cref="TokenCacheStorage"/>
/// (Microsoft.Identity.Client.Extensions.Msal: DPAPI on Windows, Keychain on macOS, libsecret on Linux, verified by a
/// write/read round trip). Where no key store works, <see cref="TokenCacheMode.KeyStoreOrPlaintextFile"/> falls back to a
/// 0600 file and the warning goes to <see cref="OutlookConnectionOptions.Warn"/>; <see cref="TokenCacheMode.KeyStoreOnly"/>
/// fails with a <see cref="StoreException"/> that says how to opt in. Never a silent fallback.
/// </summary>
public static class OutlookTokenCache
{
    /// <summary>What was set up: the protection and the cache file (null for in-memory).</summary>
    public sealed record Binding(TokenCacheMode Mode, bool Protected, string? Path, string? Warning);

    public static async Task<Binding> AttachAsync(ITokenCache cache, OutlookConnectionOptions options)
    {
        if (options.TokenCacheMode == TokenCacheMode.InMemory) return new Binding(TokenCacheMode.InMemory, false, null, null);
        var store = new CalSyncStore(options.StoreRoot);
        var registration = await TokenCacheStorage.RegisterAsync(cache, store, options.TokenCacheName,
            allowPlaintextFallback: options.TokenCacheMode == TokenCacheMode.KeyStoreOrPlaintextFile).ConfigureAwait(false);
        if (registration.Warning is { } warning) options.Warn?.Invoke(warning);
        var isProtected = registration.Protection == SecretProtection.OsKeyStore;
        return new Binding(options.TokenCacheMode, isProtected, registration.CachePath, registration.Warning);
    }
}
