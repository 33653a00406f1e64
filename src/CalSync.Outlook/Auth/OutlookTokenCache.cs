using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;
using System.Threading.Tasks;
using Microsoft.Identity.Client;
using Microsoft.Identity.Client.Extensions.Msal;

namespace CalSync.Outlook.Auth;

/// <summary>
/// Keeps MSAL's token cache between runs with Microsoft.Identity.Client.Extensions.Msal: DPAPI on Windows,
/// the Keychain on macOS, libsecret on Linux — each verified by a write/read round trip. Where no key store works
/// (headless Linux, cron, SSH) <see cref="TokenCacheMode.Auto"/> falls back to a file only the user can read (0600)
/// and says so through the warning callback; it is never a silent fallback.
/// </summary>
public static class OutlookTokenCache
{
    private const string KeyringSchema = "org.calsync.tokencache";
    private const string KeychainService = "CalSync.Outlook.TokenCache";

    /// <summary>The per-user CalSync store's token directory: $CALSYNC_HOME, else %LOCALAPPDATA%\CalSync or $XDG_DATA_HOME/calsync (~/.local/share/calsync), + "tokens".</summary>
    public static string DefaultDirectory
    {
        get
        {
            var home = Environment.GetEnvironmentVariable("CALSYNC_HOME");
            if (string.IsNullOrEmpty(home))
            {
                if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
                    home = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "CalSync");
                else
                {
                    var xdg = Environment.GetEnvironmentVariable("XDG_DATA_HOME");
                    if (string.IsNullOrEmpty(xdg))
                        xdg = Path.Combine(Environment.GetEnvironmentVariable("HOME") ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share");
                    home = Path.Combine(xdg, "calsync");
                }
            }
            return Path.Combine(home!, "tokens");
        }
    }

    /// <summary>What was set up: the kind of storage and where.</summary>
    public sealed record Binding(TokenCacheMode Mode, bool Protected, string? Path);

    /// <summary>Attaches persistence to <paramref name="cache"/> as <paramref name="options"/> asks. Returns what was chosen.</summary>
    public static async Task<Binding> AttachAsync(ITokenCache cache, OutlookConnectionOptions options)
    {
        if (options.TokenCacheMode == TokenCacheMode.InMemory) return new Binding(TokenCacheMode.InMemory, false, null);

        var directory = options.TokenCacheDirectory ?? DefaultDirectory;
        EnsurePrivateDirectory(directory);

        if (options.TokenCacheMode != TokenCacheMode.PlaintextFile)
        {
            try
            {
                var props = new StorageCreationPropertiesBuilder(options.TokenCacheFileName, directory)
                    .WithLinuxKeyring(KeyringSchema, MsalCacheHelper.LinuxKeyRingDefaultCollection, "CalSync Outlook token cache",
                        new KeyValuePair<string, string>("Version", "1"), new KeyValuePair<string, string>("ProductGroup", "CalSync"))
                    .WithMacKeyChain(KeychainService, options.TokenCacheFileName)
                    .Build();
                var helper = await MsalCacheHelper.CreateAsync(props).ConfigureAwait(false);
                helper.VerifyPersistence();
                helper.RegisterCache(cache);
                return new Binding(TokenCacheMode.KeyStoreOnly, true, Path.Combine(directory, options.TokenCacheFileName));
            }
            catch (Exception ex) when (ex is MsalCachePersistenceException || ex is DllNotFoundException || ex is EntryPointNotFoundException
                                       || ex is PlatformNotSupportedException || ex is InvalidOperationException || ex is TypeInitializationException)
            {
                if (options.TokenCacheMode == TokenCacheMode.KeyStoreOnly)
                    throw new InvalidOperationException(
                        "No working OS key store for the Outlook token cache (DPAPI, Keychain or libsecret): " + ex.Message
                        + " Use -TokenCache PlaintextFile to keep it in a file only you can read, or sign in with an access token.", ex);
                options.Log?.Invoke("Token cache key store check failed: " + ex.GetType().Name + ": " + ex.Message);
            }
        }

        var fileName = Path.GetFileNameWithoutExtension(options.TokenCacheFileName) + ".plaintext" + Path.GetExtension(options.TokenCacheFileName);
        var path = Path.Combine(directory, fileName);
        PreparePrivateFile(path);
        var plain = new StorageCreationPropertiesBuilder(fileName, directory).WithUnprotectedFile().Build();
        var fileHelper = await MsalCacheHelper.CreateAsync(plain).ConfigureAwait(false);
        fileHelper.RegisterCache(cache);
        if (options.TokenCacheMode == TokenCacheMode.Auto)
            options.Warn?.Invoke(
                $"No OS key store is available here (DPAPI, Keychain or libsecret), so the Outlook sign-in is kept in a plain file readable only by you: {path}. "
                + "Anyone who can read that file as you can use the sign-in. Install and unlock a Secret Service keyring to avoid this.");
        return new Binding(TokenCacheMode.PlaintextFile, false, path);
    }

    internal static void EnsurePrivateDirectory(string directory)
    {
        Directory.CreateDirectory(directory);
        if (!RuntimeInformation.IsOSPlatform(OSPlatform.Windows)) UnixMode.Set(directory, Convert.ToInt32("700", 8));
    }

    /// <summary>Creates the file empty with mode 0600 before any secret is written into it, and keeps it 0600.</summary>
    internal static void PreparePrivateFile(string path)
    {
        if (!File.Exists(path)) using (File.Create(path)) { }
        if (!RuntimeInformation.IsOSPlatform(OSPlatform.Windows)) UnixMode.Set(path, Convert.ToInt32("600", 8));
    }

    private static class UnixMode
    {
        [DllImport("libc", EntryPoint = "chmod", SetLastError = true)]
        private static extern int Chmod(string path, int mode);

        public static void Set(string path, int mode)
        {
            try
            {
                if (Chmod(path, mode) != 0)
                    throw new IOException($"Could not restrict '{path}' to its owner (errno {Marshal.GetLastWin32Error()}).");
            }
            catch (DllNotFoundException) { throw new IOException($"Could not restrict '{path}' to its owner: libc not found."); }
            catch (EntryPointNotFoundException) { throw new IOException($"Could not restrict '{path}' to its owner: chmod not found."); }
        }
    }
}
