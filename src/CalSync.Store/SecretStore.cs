using System;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Identity.Client.Extensions.Msal;

namespace CalSync.Store;

/// <summary>How secrets are kept on this machine.</summary>
public enum SecretProtection
{
    /// <summary>DPAPI (Windows), Keychain (macOS) or the Secret Service through libsecret (Linux).</summary>
    OsKeyStore,
    /// <summary>The explicit fallback: a 0600 file in the 0700 store, NOT encrypted.</summary>
    PlaintextFile,
}

/// <summary>Secrets of connections (webhook URLs, refresh tokens, client secrets), by key (a store name).</summary>
public interface ISecretStore
{
    SecretProtection Protection { get; }

    /// <summary>Set when secrets are not protected by the OS (plaintext fallback): show it to the user.</summary>
    string? Warning { get; }

    void Save(string key, string secret);

    /// <summary>The secret, or null when none is stored under <paramref name="key"/>.</summary>
    string? Load(string key);

    /// <summary>False when there was nothing to remove.</summary>
    bool Remove(string key);
}

/// <summary>
/// <see cref="ISecretStore"/> on Microsoft.Identity.Client.Extensions.Msal's <see cref="Storage"/>: DPAPI-encrypted
/// files under <c>secrets/</c> on Windows, the login Keychain on macOS, the Secret Service (libsecret) on Linux.
/// <see cref="Open"/> proves the OS store works (<see cref="Storage.VerifyPersistence"/>); when it does not, it
/// throws <see cref="StoreErrorKind.KeyStoreUnavailable"/> unless the caller opted into the plaintext fallback, and
/// then <see cref="Warning"/> says so. Secrets never appear in exceptions or messages from here.
/// </summary>
public sealed class SecretStore : ISecretStore
{
    internal const string KeychainService = "CalSync";
    internal const string KeyringSchema = "com.calsync.secret";

    private readonly CalSyncStore _store;
    private readonly string _storeTag;

    private SecretStore(CalSyncStore store, SecretProtection protection, string? warning)
    {
        _store = store;
        _storeTag = StoreTag(store.Root);
        Protection = protection;
        Warning = warning;
    }

    public SecretProtection Protection { get; }

    public string? Warning { get; }

    /// <summary>
    /// Opens the secret store of <paramref name="store"/>. Without a working OS key store: throws
    /// <see cref="StoreErrorKind.KeyStoreUnavailable"/>, or with <paramref name="allowPlaintextFallback"/> uses
    /// 0600 files under <c>secrets/</c> and sets <see cref="Warning"/>.
    /// </summary>
    public static SecretStore Open(CalSyncStore store, bool allowPlaintextFallback) =>
        Open(store, allowPlaintextFallback, probe: null);

    /// <param name="probe">Tests: returns null (OS store works) or why it does not; null uses the real probe.</param>
    internal static SecretStore Open(CalSyncStore store, bool allowPlaintextFallback, Func<string?>? probe)
    {
        if (store is null) throw new ArgumentNullException(nameof(store));
        store.EnsureDirectory(store.SecretsDirectory);
        var failure = probe is not null ? probe() : ProbeOsStore(store);
        if (failure is null) return new SecretStore(store, SecretProtection.OsKeyStore, null);
        if (!allowPlaintextFallback)
            throw new StoreException(StoreErrorKind.KeyStoreUnavailable,
                $"No OS key store is available to protect CalSync's secrets ({failure}). " + KeyStoreHint() +
                " Or allow CalSync to keep secrets unencrypted in a file readable only by you (plaintext fallback).",
                store.SecretsDirectory);
        return new SecretStore(store, SecretProtection.PlaintextFile, PlaintextWarning(store.SecretsDirectory, failure));
    }

    internal static string PlaintextWarning(string directory, string failure) =>
        $"No OS key store is available ({failure}); CalSync keeps secrets UNENCRYPTED in '{directory}' (files readable only by you). " + KeyStoreHint();

    internal static string KeyStoreHint() =>
        Environment.OSVersion.Platform == PlatformID.Unix
            ? "On Linux install and unlock a Secret Service keyring (libsecret with gnome-keyring or KWallet) in this session; headless hosts usually have none."
            : "Make sure the user profile is loaded (DPAPI) or the login Keychain is unlocked.";

    public void Save(string key, string secret)
    {
        StoreNames.Validate(key, "secret");
        if (string.IsNullOrEmpty(secret)) throw new ArgumentException("A secret cannot be empty; use Remove to delete it.", nameof(secret));
        if (Protection == SecretProtection.PlaintextFile)
        {
            var path = PlainPath(key);
            AtomicFile.Write(StoreFileSystem.Default, path,
                StoreJson.Serialize(new PlainSecret { Key = key, Secret = secret }, indented: true));
            return;
        }
        Guard(key, "save", () => CreateStorage(key).WriteData(Encoding.UTF8.GetBytes(secret)));
    }

    public string? Load(string key)
    {
        StoreNames.Validate(key, "secret");
        if (Protection == SecretProtection.PlaintextFile)
        {
            var plain = StoreJson.ReadFile<PlainSecret>(PlainPath(key), PlainSecret.CurrentSchema,
                "Delete it and save the connection's secret again.");
            return string.IsNullOrEmpty(plain?.Secret) ? null : plain!.Secret;
        }
        byte[] data = Array.Empty<byte>();
        Guard(key, "read", () => data = CreateStorage(key).ReadData());
        return data.Length == 0 ? null : Encoding.UTF8.GetString(data);
    }

    public bool Remove(string key)
    {
        StoreNames.Validate(key, "secret");
        if (Protection == SecretProtection.PlaintextFile)
        {
            var path = PlainPath(key);
            if (!System.IO.File.Exists(path)) return false;
            AtomicFile.TryDelete(path);
            return !System.IO.File.Exists(path);
        }
        var existed = Load(key) is not null;
        Guard(key, "remove", () => CreateStorage(key).Clear(ignoreExceptions: false));
        return existed;
    }

    private string PlainPath(string key) =>
        System.IO.Path.Combine(_store.SecretsDirectory, StoreNames.FileStem(key) + ".secret.json");

    private Storage CreateStorage(string key) =>
        Storage.Create(Properties(_store.SecretsDirectory, _storeTag, StoreNames.FileStem(key)), new TraceSource("CalSync.Secrets", SourceLevels.Off));

    internal static StorageCreationProperties Properties(string directory, string storeTag, string stem) =>
        new StorageCreationPropertiesBuilder(stem + ".secret.bin", directory)
            .WithMacKeyChain(KeychainService, storeTag + "/" + stem)
            .WithLinuxKeyring(KeyringSchema, MsalCacheHelper.LinuxKeyRingDefaultCollection, "CalSync secret " + stem,
                new System.Collections.Generic.KeyValuePair<string, string>("calsync.store", storeTag),
                new System.Collections.Generic.KeyValuePair<string, string>("calsync.key", stem))
            .Build();

    private void Guard(string key, string action, Action body)
    {
        try { body(); }
        catch (Exception e) when (e is not StoreException && e is not OutOfMemoryException)
        {
            // The inner exception's text is MSAL's / the OS's and holds no secret; the secret is never passed in.
            throw new StoreException(StoreErrorKind.Io,
                $"Could not {action} the secret '{key}' in the OS key store ({e.GetType().Name}: {e.Message}).", _store.SecretsDirectory, e);
        }
    }

    private static string? ProbeOsStore(CalSyncStore store)
    {
        try
        {
            var storage = Storage.Create(Properties(store.SecretsDirectory, StoreTag(store.Root), "calsync-probe"),
                new TraceSource("CalSync.Secrets", SourceLevels.Off));
            return Verify(storage.VerifyPersistence);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return Reason(e);
        }
    }

    /// <summary>
    /// Runs Extensions.Msal's key store check; null when it passed, else why not. The check writes, reads back and
    /// deletes one fixed probe item, so two CalSync processes checking at once (two scheduled syncs) can delete each
    /// other's probe: a read-back that failed is retried after a short random pause, and only a store that keeps
    /// failing is unavailable. A write that failed (an inner exception: no D-Bus, no libsecret, a locked keyring) is
    /// reported at once, so a machine without a key store pays no pauses on every run.
    /// </summary>
    internal static string? Verify(Action check, int attempts = 3)
    {
        var random = new Random();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                check();
                return null;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                if (attempt >= attempts || e.InnerException is not null) return Reason(e);
                System.Threading.Thread.Sleep(50 + random.Next(200));
            }
        }
    }

    private static readonly System.Text.RegularExpressions.Regex LibsecretMessage =
        new(@"message:'([^'\r\n]{1,200})'", System.Text.RegularExpressions.RegexOptions.CultureInvariant);

    private static readonly System.Text.RegularExpressions.Regex MissingLibrary =
        new(@"Unable to load shared library '(libsecret[^']{0,40})'", System.Text.RegularExpressions.RegexOptions.CultureInvariant);

    /// <summary>Why the OS key store failed, in one line: the outer message and the innermost cause (e.g. a missing libsecret).</summary>
    internal static string Reason(Exception e)
    {
        static string FirstLine(Exception x)
        {
            var line = (string.IsNullOrWhiteSpace(x.Message) ? x.GetType().Name : x.Message).Split('\n')[0].Trim();
            return line.Length > 200 ? line.Substring(0, 200) + "..." : line;
        }
        var inner = e;
        var messages = new StringBuilder(e.Message);
        while (inner.InnerException is not null)
        {
            inner = inner.InnerException;
            messages.Append('\n').Append(inner.Message);
        }
        // On Linux, Extensions.Msal wraps libsecret's GError in two layers of boilerplate ("... Error code: 0. OS error
        // code 0: ... domain:'91' code:'2' message:'Cannot create an item in a locked collection' ..."): keep its words.
        var said = LibsecretMessage.Match(messages.ToString());
        if (said.Success) return "libsecret: " + said.Groups[1].Value.Trim();
        // The loader's message runs on with advice for developers (LD_DEBUG): say what it means.
        var missing = MissingLibrary.Match(messages.ToString());
        if (missing.Success) return $"the libsecret library ({missing.Groups[1].Value}) is not installed";
        return ReferenceEquals(inner, e) ? FirstLine(e) : FirstLine(e).TrimEnd('.') + ": " + FirstLine(inner);
    }

    /// <summary>A short, stable tag of the store root, so two stores (e.g. CALSYNC_HOME for tests) do not share OS key store entries.</summary>
    internal static string StoreTag(string root)
    {
        using var sha = SHA256.Create();
        var hash = sha.ComputeHash(Encoding.UTF8.GetBytes(root.TrimEnd('/', '\\')));
        var sb = new StringBuilder();
        for (var i = 0; i < 6; i++) sb.Append(hash[i].ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
        return sb.ToString();
    }

    internal sealed record PlainSecret
    {
        public const int CurrentSchema = 1;
        public int Schema { get; set; } = CurrentSchema;
        public string Protection { get; set; } = "plaintext";
        public string Key { get; set; } = "";
        public string Secret { get; set; } = "";
    }
}
