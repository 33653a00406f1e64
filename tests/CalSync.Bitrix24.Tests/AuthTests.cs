using CalSync.Bitrix24;
using CalSync.Engine.Model;
using CalSync.Engine.Sides;
using Xunit;

namespace CalSync.Bitrix24.Tests;

public class AuthTests
{
    private static readonly SyncWindow Window = Make.Window(new DateTime(2025, 3, 1), new DateTime(2025, 3, 20));

    private static async Task<SideUnavailableException> FailsOnceWithAuth(Portal portal, Bitrix24CalendarSide side, string secret)
    {
        portal.Service.Journal.Clear();
        var error = await Assert.ThrowsAsync<SideUnavailableException>(() => side.ReadAsync(Window, null, default));
        Assert.True(error.IsAuthentication);
        Assert.Equal(Side.Bitrix24, error.Side);
        Assert.Single(portal.Http); // no retry
        Assert.Equal(0, side.Client.Retries);
        Assert.DoesNotContain(secret, error.ToString());
        return error;
    }

    [Theory]
    [InlineData(401)]
    [InlineData(403)]
    public async Task Bad_webhook_secret_fails_fast_without_leaking_the_secret(int status)
    {
        await using var portal = await Portal.StartAsync();
        portal.Service.Limits.AuthErrorStatus = status;
        var wrongSecret = "wrongsecret" + Guid.NewGuid().ToString("N");
        var url = portal.Service.WebhookUrl.Replace(portal.Service.WebhookSecret, wrongSecret);
        var side = portal.Side(portal.Options() with { WebhookUrl = url });
        var error = await FailsOnceWithAuth(portal, side, wrongSecret);
        Assert.Contains("INVALID_CREDENTIALS", error.Message);
        Assert.DoesNotContain(portal.Service.WebhookSecret, error.ToString());
    }

    [Fact]
    public async Task Revoked_webhook_is_an_authentication_failure()
    {
        await using var portal = await Portal.StartAsync();
        var side = portal.Side();
        Assert.NotNull(await side.ReadAsync(Window, null, default));
        portal.Service.RevokeWebhook();
        var error = await FailsOnceWithAuth(portal, side, portal.Service.WebhookSecret);
        Assert.Contains("webhook", error.Message);
    }

    [Fact]
    public async Task Webhook_without_calendar_scope_names_the_missing_scope()
    {
        await using var portal = await Portal.StartAsync();
        portal.Service.WebhookScopes = new[] { "user", "crm" };
        var side = portal.Side();
        var error = await FailsOnceWithAuth(portal, side, portal.Service.WebhookSecret);
        Assert.Contains("'calendar' scope", error.Message);
    }

    [Fact]
    public async Task Unreachable_portal_errors_do_not_contain_the_secret()
    {
        var portal = await Portal.StartAsync();
        var options = portal.Options() with { MaxRetries = 1 };
        var secret = portal.Service.WebhookSecret;
        await portal.DisposeAsync();
        using var side = new Bitrix24CalendarSide(options);
        var error = await Assert.ThrowsAsync<SideUnavailableException>(() => side.ReadAsync(Window, null, default));
        Assert.False(error.IsAuthentication);
        Assert.DoesNotContain(secret, error.ToString());
        Assert.DoesNotContain(secret, options.ToString());
        Assert.DoesNotContain(secret, side.ToString());
        Assert.DoesNotContain(secret, side.Client.ToString());
    }

    [Theory]
    [InlineData("not a url")]
    [InlineData("http://example.bitrix24.com/rest/1/s3cr3tvalue/")]
    [InlineData("https://example.bitrix24.com/rest/abc/s3cr3tvalue/")]
    [InlineData("https://example.bitrix24.com/api/1/s3cr3tvalue/")]
    [InlineData("https://example.bitrix24.com/rest/1/")]
    [InlineData("https://example.bitrix24.com/rest/1/s3cr3tvalue/?x=1")]
    public void Malformed_webhook_url_names_the_expected_shape(string url)
    {
        var error = Assert.Throws<ArgumentException>(() => new Bitrix24CalendarSide(new Bitrix24ConnectionOptions { WebhookUrl = url }));
        Assert.Contains("https://<portal>/rest/<user>/<secret>/", error.Message);
        Assert.DoesNotContain("s3cr3tvalue", error.Message);
    }

    [Theory]
    [InlineData("https://example.bitrix24.com/rest/7/abcdefgh/")]
    [InlineData("https://example.bitrix24.de/rest/7/abcdefgh")]
    [InlineData("https://example.bitrix24.de/rest/7/abcdefgh/profile.json")]
    public void Well_formed_webhook_urls_are_accepted(string url)
    {
        var hook = Bitrix24Webhook.Parse(url);
        Assert.Equal(7, hook.UserId);
        Assert.DoesNotContain("abcdefgh", hook.ToString());
    }

    private sealed class RecordingStore : IBitrix24TokenStore
    {
        public List<Bitrix24Tokens> Saved { get; } = new();
        public Task SaveAsync(Bitrix24Tokens tokens, CancellationToken cancellationToken)
        {
            Saved.Add(tokens);
            return Task.CompletedTask;
        }
    }

    private static Bitrix24ConnectionOptions OAuth(Portal portal, (string AccessToken, string RefreshToken) tokens, IBitrix24TokenStore store) => new()
    {
        OAuth = new Bitrix24OAuthOptions
        {
            PortalUrl = portal.Service.BaseUrl,
            ClientId = portal.Service.ClientId,
            ClientSecret = portal.Service.ClientSecret,
            AccessToken = tokens.AccessToken,
            RefreshToken = tokens.RefreshToken,
            TokenEndpoint = portal.Service.OAuthTokenUrl,
            ClientEndpoint = portal.Service.OAuthRestUrl,
            UserId = portal.Service.UserId,
            TokenStore = store,
        },
        SectionId = portal.Service.DefaultSectionId.ToString(),
    };

    [Theory]
    [InlineData(new[] { "calendar", "user_brief" }, true)]
    [InlineData(new[] { "calendar" }, false)]
    public async Task A_redeemed_code_is_saved_and_names_the_user_through_user_current_when_the_scope_allows(string[] scopes, bool named)
    {
        await using var portal = await Portal.StartAsync();
        var store = new RecordingStore();
        var options = OAuth(portal, ("", ""), store);
        var side = portal.Side(options with { OAuth = options.OAuth! with { UserId = null } });

        await side.Client.RedeemAuthorizationCodeAsync(portal.Service.IssueAuthorizationCode(scopes), default);

        var saved = Assert.Single(store.Saved);
        Assert.Null(saved.UserId); // the code answer names no user
        Assert.Equal(named ? portal.Service.UserId : 0, side.Client.UserId);
        Assert.Equal(["/oauth/token/", "/rest/user.current"], portal.Http.Select(r => r.PathAndQuery.Split('?')[0]).ToArray());
        Assert.DoesNotContain(saved.AccessToken, string.Join("\n", portal.Http.Select(r => r.PathAndQuery))); // the token goes in the body
    }

    [Fact]
    public async Task Without_an_access_token_the_first_call_gets_one_with_the_refresh_token()
    {
        await using var portal = await Portal.StartAsync();
        var store = new RecordingStore();
        var (_, refresh) = portal.Service.IssueOAuthTokens();
        var side = portal.Side(OAuth(portal, ("", refresh), store));

        Assert.NotNull(await side.ReadAsync(Window, null, default));

        Assert.StartsWith("/oauth/token/?grant_type=refresh_token", portal.Http[0].PathAndQuery, StringComparison.Ordinal);
        Assert.Single(portal.Http, r => r.PathAndQuery.StartsWith("/oauth/token/", StringComparison.Ordinal));
        Assert.NotEqual(refresh, Assert.Single(store.Saved).RefreshToken);
    }

    [Theory]
    [InlineData("en")]
    [InlineData("de")]
    public async Task OAuth_refreshes_on_expired_token_and_persists_the_rotated_pair(string culture)
    {
        await using var portal = await Portal.StartAsync(culture);
        portal.Service.SeedEvent(new Dictionary<string, object?> { ["name"] = "Lunch", ["from"] = "2025-03-05 12:00:00", ["to"] = "2025-03-05 13:00:00", ["timezone_from"] = "Europe/Berlin", ["section"] = portal.Service.DefaultSectionId });
        var tokens = portal.Service.IssueOAuthTokens();
        var store = new RecordingStore();
        var side = portal.Side(OAuth(portal, tokens, store));
        Assert.Single((await side.ReadAsync(Window, null, default)).Events);
        Assert.Empty(store.Saved);

        portal.Service.ExpireAccessTokens();
        Assert.Single((await side.ReadAsync(Window, null, default)).Events);
        var first = Assert.Single(store.Saved);
        Assert.NotEqual(tokens.RefreshToken, first.RefreshToken);
        Assert.NotEqual(tokens.AccessToken, first.AccessToken);
        Assert.DoesNotContain(first.RefreshToken, first.ToString());

        // The next expiry is refreshed with the rotated refresh token (the first one is dead now).
        portal.Service.ExpireAccessTokens();
        var write = await side.WriteAsync(new[] { Make.Create("n", Make.Timed("New", new DateTime(2025, 3, 6, 9, 0, 0), TimeSpan.FromHours(1))) }, new WriteHalt(), default);
        Assert.Equal(WriteStatus.Succeeded, Assert.Single(write).Status);
        Assert.Equal(2, store.Saved.Count);
        Assert.NotEqual(first.RefreshToken, store.Saved[1].RefreshToken);
        Assert.Equal(0, side.Client.Retries);
    }

    [Fact]
    public async Task Revoked_OAuth_grant_is_an_authentication_failure_without_retries()
    {
        await using var portal = await Portal.StartAsync();
        var tokens = portal.Service.IssueOAuthTokens();
        var store = new RecordingStore();
        var side = portal.Side(OAuth(portal, tokens, store));
        portal.Service.RevokeRefreshTokens();
        portal.Service.ExpireAccessTokens();
        portal.Service.Journal.Clear();

        var error = await Assert.ThrowsAsync<SideUnavailableException>(() => side.ReadAsync(Window, null, default));

        Assert.True(error.IsAuthentication);
        Assert.Contains("revoked", error.Message);
        Assert.Empty(store.Saved);
        Assert.Equal(1, portal.Http.Count(r => r.PathAndQuery.StartsWith("/rest/")));
        Assert.DoesNotContain(tokens.RefreshToken, error.ToString());
        Assert.DoesNotContain(portal.Service.ClientSecret, error.ToString());
    }

    [Fact]
    public async Task OAuth_token_without_calendar_scope_is_reported()
    {
        await using var portal = await Portal.StartAsync();
        var side = portal.Side(OAuth(portal, portal.Service.IssueOAuthTokens(new[] { "user" }), new RecordingStore()));
        var error = await Assert.ThrowsAsync<SideUnavailableException>(() => side.ReadAsync(Window, null, default));
        Assert.True(error.IsAuthentication);
        Assert.Contains("calendar", error.Message);
    }
}
