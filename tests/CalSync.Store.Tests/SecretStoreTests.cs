using CalSync.Store;
using Microsoft.Identity.Client;
using Xunit;

namespace CalSync.Store.Tests;

public sealed class SecretStoreTests(Xunit.Abstractions.ITestOutputHelper output) : IDisposable
{
    private const string Secret = "https://example.bitrix24.com/rest/1/k3yk3yk3yk3y/";
    private readonly TempStore _temp = new();
    private CalSyncStore Store => _temp.Store;
    private static readonly Func<string?> NoKeyStore = () => "test: no key store";

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Without_a_key_store_the_plaintext_fallback_is_refused_unless_opted_in()
    {
        var e = Assert.Throws<StoreException>(() => SecretStore.Open(Store, allowPlaintextFallback: false, NoKeyStore));
        Assert.Equal(StoreErrorKind.KeyStoreUnavailable, e.Kind);
        Assert.Contains("No OS key store", e.Message);
        Assert.Contains("plaintext fallback", e.Message);
        Assert.Empty(Directory.GetFiles(Store.SecretsDirectory));
    }

    [Fact]
    public void The_opted_in_fallback_is_a_0600_file_and_says_so()
    {
        var secrets = SecretStore.Open(Store, allowPlaintextFallback: true, NoKeyStore);
        Assert.Equal(SecretProtection.PlaintextFile, secrets.Protection);
        Assert.Contains("UNENCRYPTED", secrets.Warning);
        Assert.Contains(Store.SecretsDirectory, secrets.Warning);

        Assert.Null(secrets.Load("portal"));
        secrets.Save("portal", Secret);
        Assert.Equal(Secret, secrets.Load("PORTAL"));
        var file = Assert.Single(Directory.GetFiles(Store.SecretsDirectory));
        if (Modes.IsUnix)
        {
            Assert.Equal("600", Modes.Of(file));
            Assert.Equal("700", Modes.Of(Store.SecretsDirectory));
        }
        secrets.Save("portal", Secret + "v2");
        Assert.Equal(Secret + "v2", secrets.Load("portal"));
        Assert.True(secrets.Remove("portal"));
        Assert.False(secrets.Remove("portal"));
        Assert.Null(secrets.Load("portal"));
    }

    [Fact]
    public void With_a_working_key_store_no_plaintext_file_is_written()
    {
        var secrets = SecretStore.Open(Store, allowPlaintextFallback: true, probe: () => null);
        Assert.Equal(SecretProtection.OsKeyStore, secrets.Protection);
        Assert.Null(secrets.Warning);
    }

    [Fact]
    public void The_real_OS_key_store_works_or_is_reported_as_unavailable()
    {
        SecretStore secrets;
        try
        {
            secrets = SecretStore.Open(Store, allowPlaintextFallback: false);
        }
        catch (StoreException e) when (e.Kind == StoreErrorKind.KeyStoreUnavailable)
        {
            Assert.Contains("No OS key store is available", e.Message);
            return; // headless Linux without a Secret Service: the expected outcome on CI
        }
        Assert.Equal(SecretProtection.OsKeyStore, secrets.Protection);
        secrets.Save("portal", Secret);
        try
        {
            Assert.Equal(Secret, secrets.Load("portal"));
            foreach (var f in Directory.GetFiles(Store.Root, "*", SearchOption.AllDirectories))
                Assert.DoesNotContain("k3yk3yk3yk3y", File.ReadAllText(f));
        }
        finally
        {
            secrets.Remove("portal");
        }
    }

    [Fact]
    public void Errors_about_a_damaged_secret_file_do_not_contain_the_secret()
    {
        var secrets = SecretStore.Open(Store, allowPlaintextFallback: true, NoKeyStore);
        secrets.Save("portal", Secret);
        var file = Directory.GetFiles(Store.SecretsDirectory).Single();
        File.WriteAllText(file, File.ReadAllText(file).Replace("}", ""));
        var e = Assert.Throws<StoreException>(() => secrets.Load("portal"));
        Assert.Equal(StoreErrorKind.Corrupt, e.Kind);
        Assert.DoesNotContain("k3yk3y", e.ToString());
    }

    [Fact]
    public void Secret_keys_are_validated()
    {
        var secrets = SecretStore.Open(Store, allowPlaintextFallback: true, NoKeyStore);
        Assert.Equal(StoreErrorKind.InvalidName, Assert.Throws<StoreException>(() => secrets.Save("../x", Secret)).Kind);
        Assert.Throws<ArgumentException>(() => secrets.Save("x", ""));
    }

    [Fact]
    public async Task The_token_cache_needs_an_opt_in_without_a_key_store_and_is_then_a_0600_file()
    {
        var app = PublicClientApplicationBuilder.Create("00000000-0000-0000-0000-000000000001").WithDefaultRedirectUri().Build();
        var e = await Assert.ThrowsAsync<StoreException>(() => TokenCacheStorage.RegisterAsync(app.UserTokenCache, Store, "me", false, NoKeyStore));
        Assert.Equal(StoreErrorKind.KeyStoreUnavailable, e.Kind);

        var reg = await TokenCacheStorage.RegisterAsync(app.UserTokenCache, Store, "me", true, NoKeyStore);
        Assert.Equal(SecretProtection.PlaintextFile, reg.Protection);
        Assert.Contains("UNENCRYPTED", reg.Warning);
        Assert.StartsWith(Store.SecretsDirectory, reg.CachePath);
        reg.Helper.SaveUnencryptedTokenCache(System.Text.Encoding.UTF8.GetBytes("{\"AccessToken\":{}}"));
        Assert.Equal("{\"AccessToken\":{}}", System.Text.Encoding.UTF8.GetString(reg.Helper.LoadUnencryptedTokenCache()));
        if (Modes.IsUnix) Assert.Equal("600", Modes.Of(reg.CachePath));
    }

    [Fact]
    public async Task The_real_token_cache_registration_uses_the_key_store_or_the_opted_in_fallback()
    {
        var app = PublicClientApplicationBuilder.Create("00000000-0000-0000-0000-000000000001").WithDefaultRedirectUri().Build();
        var reg = await TokenCacheStorage.RegisterAsync(app.UserTokenCache, Store, "me", allowPlaintextFallback: true);
        output.WriteLine($"{reg.Protection}: {reg.Warning}");
        if (reg.Protection == SecretProtection.PlaintextFile)
        {
            Assert.NotNull(reg.Warning);
            var e = await Assert.ThrowsAsync<StoreException>(() => TokenCacheStorage.RegisterAsync(app.UserTokenCache, Store, "other", allowPlaintextFallback: false));
            Assert.Equal(StoreErrorKind.KeyStoreUnavailable, e.Kind);
            output.WriteLine(e.Message);
        }
        else Assert.Null(reg.Warning);
    }

    [Fact]
    public void Token_cache_properties_use_the_store_secrets_directory()
    {
        var props = TokenCacheStorage.CreateProperties(Store, "Me");
        Assert.Equal(Path.Combine(Store.SecretsDirectory, "me.msalcache.bin"), props.CacheFilePath);
    }

    [Fact]
    public void A_key_store_check_that_fails_once_is_retried_and_one_that_keeps_failing_is_reported()
    {
        // another process deleting the shared probe item between our write and read-back fails one check
        var calls = 0;
        Assert.Null(SecretStore.Verify(() => { if (++calls == 1) throw new InvalidOperationException("probe item vanished"); }));
        Assert.Equal(2, calls);

        calls = 0;
        var reason = SecretStore.Verify(() => { calls++; throw new InvalidOperationException("Data was written but it could not be read."); });
        Assert.Equal(3, calls);
        Assert.Equal("Data was written but it could not be read.", reason);
    }

    [Fact]
    public void A_key_store_whose_write_fails_is_reported_at_once_without_pauses()
    {
        // Extensions.Msal wraps a failed write (no D-Bus, no libsecret, locked keyring) with the cause inside; that is
        // no race, and retrying would only make every scheduled run on such a machine wait
        var calls = 0;
        var reason = SecretStore.Verify(() =>
        {
            calls++;
            throw new InvalidOperationException("Persistence check failed. Reason: cannot write.", new IOException("Could not connect: No such file or directory"));
        });
        Assert.Equal(1, calls);
        Assert.Contains("Could not connect: No such file or directory", reason);
    }

    [Fact]
    public void A_missing_libsecret_is_said_in_plain_words_not_as_the_loaders_cut_off_message()
    {
        // The loader's message is longer than a line: cut, it would stop in the middle of its advice
        var e = new DllNotFoundException("Unable to load shared library 'libsecret-1.so.0' or one of its dependencies. In order to help diagnose loading problems, consider setting the LD_DEBUG environment variable: liblibsecret-1.so.0: cannot open shared object file: No such file or directory");
        var reason = SecretStore.Reason(new InvalidOperationException("Persistence check failed.", e));
        Assert.Equal("the libsecret library (libsecret-1.so.0) is not installed", reason);
    }
}
