using System.Net;
using System.Text.Json.Nodes;
using Xunit;

namespace CalSync.Sandbox.Tests.Bitrix24;

/// <summary>OAuth routes and the token endpoint (docs/bitrix24-api.md, "OAuth authorization code flow", "Authentication errors").</summary>
public sealed class OAuthTests
{
    private static Task<Reply> ReadWithToken(Bitrix24TestPortal b24, string token) =>
        b24.GetAsync(b24.Service.OAuthRestUrl + "calendar.section.get.json?type=user&auth=" + token);

    private static Task<Reply> Refresh(Bitrix24TestPortal b24, string refreshToken, string? secret = null) =>
        b24.GetAsync($"{b24.Service.OAuthTokenUrl}?grant_type=refresh_token&client_id={b24.Service.ClientId}" +
                     $"&client_secret={secret ?? b24.Service.ClientSecret}&refresh_token={refreshToken}");

    [Fact]
    public async Task Token_works_as_auth_or_access_token_parameter()
    {
        await using var b24 = await Bitrix24TestPortal.StartAsync();
        var (access, _) = b24.Service.IssueOAuthTokens();
        Assert.Equal(HttpStatusCode.OK, (await ReadWithToken(b24, access)).Status);
        var json = await b24.SendAsync(HttpMethod.Post, b24.Service.OAuthRestUrl + "calendar.section.get",
            Bitrix24TestPortal.Json(new { type = "user", access_token = access }));
        Assert.Equal(HttpStatusCode.OK, json.Status);
        var garbage = await ReadWithToken(b24, "nonsense");
        Assert.Equal(HttpStatusCode.Unauthorized, garbage.Status);
    }

    [Fact]
    public async Task Refresh_rotates_the_pair_and_the_old_pair_dies()
    {
        await using var b24 = await Bitrix24TestPortal.StartAsync();
        var (access, refresh) = b24.Service.IssueOAuthTokens();

        var renewed = await Refresh(b24, refresh);
        Assert.Equal(HttpStatusCode.OK, renewed.Status);
        var body = renewed.Body!.AsObject();
        Assert.Equal(["access_token", "client_endpoint", "domain", "expires", "expires_in", "member_id", "refresh_token", "scope", "server_endpoint", "status", "user_id"],
            body.Select(p => p.Key).ToArray());
        Assert.Equal(3600, (int)body["expires_in"]!);
        Assert.Equal(b24.Service.OAuthRestUrl, (string?)body["client_endpoint"]);
        Assert.Equal("calendar", (string?)body["scope"]);
        var newAccess = (string)body["access_token"]!;
        var newRefresh = (string)body["refresh_token"]!;
        Assert.NotEqual(refresh, newRefresh);

        Assert.Equal(HttpStatusCode.OK, (await ReadWithToken(b24, newAccess)).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await ReadWithToken(b24, access)).Status);
        var reused = await Refresh(b24, refresh);
        Assert.Equal(HttpStatusCode.BadRequest, reused.Status);
        Assert.Equal("invalid_grant", reused.Error);
    }

    [Fact]
    public async Task Expired_access_token_is_401_expired_token_until_refreshed()
    {
        await using var b24 = await Bitrix24TestPortal.StartAsync();
        var (access, refresh) = b24.Service.IssueOAuthTokens();
        b24.Clock.Advance(TimeSpan.FromSeconds(3601));
        var expired = await ReadWithToken(b24, access);
        Assert.Equal(HttpStatusCode.Unauthorized, expired.Status);
        Assert.Equal("expired_token", expired.Error);
        Assert.Equal("The access token provided has expired", expired.Description);

        var renewed = (string)(await Refresh(b24, refresh)).Body!["access_token"]!;
        Assert.Equal(HttpStatusCode.OK, (await ReadWithToken(b24, renewed)).Status);

        b24.Service.ExpireAccessTokens();
        Assert.Equal("expired_token", (await ReadWithToken(b24, renewed)).Error);
    }

    [Fact]
    public async Task Revoked_refresh_tokens_and_wrong_client_are_refused()
    {
        await using var b24 = await Bitrix24TestPortal.StartAsync();
        var (_, refresh) = b24.Service.IssueOAuthTokens();
        var wrongClient = await Refresh(b24, refresh, secret: "wrong");
        Assert.Equal(HttpStatusCode.Unauthorized, wrongClient.Status);
        Assert.Equal("invalid_client", wrongClient.Error);

        b24.Service.RevokeRefreshTokens();
        Assert.Equal("invalid_grant", (await Refresh(b24, refresh)).Error);
    }

    [Fact]
    public async Task Authorization_code_grant_and_token_scope_check()
    {
        await using var b24 = await Bitrix24TestPortal.StartAsync();
        var code = b24.Service.IssueAuthorizationCode();
        var exchanged = await b24.GetAsync($"{b24.Service.OAuthTokenUrl}?grant_type=authorization_code&client_id={b24.Service.ClientId}&client_secret={b24.Service.ClientSecret}&code={code}");
        Assert.Equal(HttpStatusCode.OK, exchanged.Status);
        Assert.Equal("invalid_grant", (await b24.GetAsync($"{b24.Service.OAuthTokenUrl}?grant_type=authorization_code&client_id={b24.Service.ClientId}&client_secret={b24.Service.ClientSecret}&code={code}")).Error);

        var (userOnly, _) = b24.Service.IssueOAuthTokens(["user"]);
        var reply = await ReadWithToken(b24, userOnly);
        Assert.Equal("insufficient_scope", reply.Error);
        Assert.Equal("The request requires higher privileges than provided by the access token", reply.Description);
    }
}
