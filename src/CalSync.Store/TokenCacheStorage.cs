using System;
using System.Diagnostics;
using System.IO;
using System.Threading.Tasks;
using Microsoft.Identity.Client;
using Microsoft.Identity.Client.Extensions.Msal;

namespace CalSync.Store;

/// <summary>The MSAL token cache of one connection, registered on a client application.</summary>
public sealed class TokenCacheRegistration
{
    internal TokenCacheRegistration(MsalCacheHelper helper, SecretProtection protection, string? warning, string cachePath)
    {
        Helper = helper;
        Protection = protection;
        Warning = warning;
        CachePath = cachePath;
    }

    public MsalCacheHelper Helper { get; }
    public SecretProtection Protection { get; }
    /// <summary>Set when the cache is NOT encrypted (plaintext fallback): show it to the user.</summary>
    public string? Warning { get; }
    /// <summary>The cache file (encrypted by DPAPI on Windows; on macOS/Linux a change marker, the data is in the key store).</summary>
    public string CachePath { get; }
}

/// <summary>
/// Persists an MSAL token cache the same way as <see cref="SecretStore"/> (DPAPI / Keychain / libsecret through
/// Microsoft.Identity.Client.Extensions.Msal), in the store's <c>secrets/</c> directory, with the same explicit
/// plaintext fallback. The Outlook connector calls <see cref="RegisterAsync"/> with its application's
/// <c>UserTokenCache</c>.
/// </summary>
public static class TokenCacheStorage
{
    /// <summary>The MSAL storage properties of a cache named <paramref name="cacheName"/> (a store name, e.g. the connection's name).</summary>
    public static StorageCreationProperties CreateProperties(CalSyncStore store, string cacheName, bool plaintext = false)
    {
        if (store is null) throw new ArgumentNullException(nameof(store));
        StoreNames.Validate(cacheName, "token cache");
        var stem = StoreNames.FileStem(cacheName);
        var fileName = stem + ".msalcache.bin";
        var tag = SecretStore.StoreTag(store.Root);
        var builder = new StorageCreationPropertiesBuilder(fileName, store.SecretsDirectory);
        if (plaintext) return builder.WithUnprotectedFile().Build();
        return builder
            .WithMacKeyChain(SecretStore.KeychainService, tag + "/msal/" + stem)
            .WithLinuxKeyring("com.calsync.tokencache", MsalCacheHelper.LinuxKeyRingDefaultCollection, "CalSync token cache " + stem,
                new System.Collections.Generic.KeyValuePair<string, string>("calsync.store", tag),
                new System.Collections.Generic.KeyValuePair<string, string>("calsync.tokencache", stem))
            .Build();
    }

    /// <summary>
    /// Creates the cache helper, verifies that the OS key store works and registers it on <paramref name="tokenCache"/>.
    /// Without a working key store: <see cref="StoreErrorKind.KeyStoreUnavailable"/>, or with
    /// <paramref name="allowPlaintextFallback"/> an unencrypted 0600 file and a <see cref="TokenCacheRegistration.Warning"/>.
    /// </summary>
    public static Task<TokenCacheRegistration> RegisterAsync(ITokenCache tokenCache, CalSyncStore store, string cacheName, bool allowPlaintextFallback) =>
        RegisterAsync(tokenCache, store, cacheName, allowPlaintextFallback, probe: null);

    internal static async Task<TokenCacheRegistration> RegisterAsync(ITokenCache tokenCache, CalSyncStore store, string cacheName, bool allowPlaintextFallback, Func<string?>? probe)
    {
        if (tokenCache is null) throw new ArgumentNullException(nameof(tokenCache));
        store.EnsureDirectory(store.SecretsDirectory);
        var logger = new TraceSource("CalSync.TokenCache", SourceLevels.Off);
        string? failure;
        var props = CreateProperties(store, cacheName);
        MsalCacheHelper? helper = null;
        if (probe is not null) failure = probe();
        else
        {
            try
            {
                helper = await MsalCacheHelper.CreateAsync(props, logger).ConfigureAwait(false);
                failure = SecretStore.Verify(helper.VerifyPersistence);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                failure = SecretStore.Reason(e);
            }
        }
        if (failure is null)
        {
            helper ??= await MsalCacheHelper.CreateAsync(props, logger).ConfigureAwait(false);
            helper.RegisterCache(tokenCache);
            return new TokenCacheRegistration(helper, SecretProtection.OsKeyStore, null, props.CacheFilePath);
        }
        if (!allowPlaintextFallback)
            throw new StoreException(StoreErrorKind.KeyStoreUnavailable,
                $"No OS key store is available to protect the sign-in token cache '{cacheName}' ({failure}). " + SecretStore.KeyStoreHint() +
                " Or allow CalSync to keep it unencrypted in a file readable only by you (plaintext fallback).",
                store.SecretsDirectory);

        var plainProps = CreateProperties(store, cacheName, plaintext: true);
        var path = plainProps.CacheFilePath;
        if (!File.Exists(path))
        {
            using (new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None)) { }
        }
        UnixPermissions.SetFile(path);
        var plainHelper = await MsalCacheHelper.CreateAsync(plainProps, logger).ConfigureAwait(false);
        plainHelper.RegisterCache(tokenCache);
        return new TokenCacheRegistration(plainHelper, SecretProtection.PlaintextFile,
            SecretStore.PlaintextWarning(store.SecretsDirectory, failure), path);
    }
}
