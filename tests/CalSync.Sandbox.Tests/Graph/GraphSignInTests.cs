using System.Net;
using System.Net.Http.Headers;
using CalSync.Sandbox.Graph;
using Microsoft.Identity.Client;
using Xunit;

namespace CalSync.Sandbox.Tests.Graph;

/// <summary>The real MSAL.NET 4.92 device-code and refresh flows against the sign-in endpoints; the tokens work on the API.</summary>
public sealed class GraphSignInTests
{
    private static readonly string[] Scopes = ["Calendars.ReadWrite"];

    private sealed class TrustingFactory(GraphService service) : IMsalHttpClientFactory
    {
        private readonly HttpClient _client = new(service.CreateSignInHttpHandler());
        public HttpClient GetHttpClient() => _client;
    }

    private static async Task<HttpStatusCode> GetMeAsync(GraphService service, string token)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, service.BaseUrl + "/me");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return (await http.SendAsync(request)).StatusCode;
    }

    [Fact]
    public async Task Device_code_then_silent_refresh_yield_tokens_the_api_accepts()
    {
        await using var service = await GraphService.StartAsync(new GraphServiceOptions { Port = 0 }, CancellationToken.None);
        service.DeviceCodeIntervalSeconds = 1;
        // Long enough that each token is still live when it is first used on a slow machine, short enough to wait out.
        service.SignInAccessTokenLifetime = TimeSpan.FromSeconds(5);
        var app = PublicClientApplicationBuilder.Create("0b6f3c1e-6e2a-4f8e-9d1c-2f7d5a4b3c21")
            .WithAuthority(service.AuthorityUrl)
            .WithHttpClientFactory(new TrustingFactory(service))
            .Build();

        string? shownMessage = null;
        var first = await app.AcquireTokenWithDeviceCode(Scopes, code => { shownMessage = code.Message; return Task.CompletedTask; }).ExecuteAsync();
        Assert.Contains("/devicelogin", shownMessage);
        Assert.Equal(service.UserEmail, first.Account.Username);
        Assert.EndsWith(".9188040d-6c67-4c5b-b112-36a304b66dad", first.Account.HomeAccountId.Identifier); // the consumers tenant
        Assert.Equal(HttpStatusCode.OK, await GetMeAsync(service, first.AccessToken));

        await Task.Delay(5100); // the access token expires, on the server too
        Assert.Equal(HttpStatusCode.Unauthorized, await GetMeAsync(service, first.AccessToken));
        var account = Assert.Single(await app.GetAccountsAsync());
        var refreshed = await app.AcquireTokenSilent(Scopes, account).ExecuteAsync();
        Assert.Equal(TokenSource.IdentityProvider, refreshed.AuthenticationResultMetadata.TokenSource);
        Assert.NotEqual(first.AccessToken, refreshed.AccessToken);
        Assert.Equal(HttpStatusCode.OK, await GetMeAsync(service, refreshed.AccessToken));

        Assert.Equal(
        [
            "GET /common/discovery/instance",
            "POST /consumers/oauth2/v2.0/devicecode",
            "POST /consumers/oauth2/v2.0/token grant_type=device_code", // authorization_pending
            "POST /consumers/oauth2/v2.0/token grant_type=device_code",
            "POST /consumers/oauth2/v2.0/token grant_type=refresh_token",
        ], service.SignInRequests.Select(r => r.StartsWith("GET /common/discovery/instance", StringComparison.Ordinal) ? "GET /common/discovery/instance" : r));
    }

    [Fact]
    public async Task The_real_consumers_authority_works_through_the_redirecting_handler()
    {
        await using var service = await GraphService.StartAsync(new GraphServiceOptions { Port = 0 }, CancellationToken.None);
        service.DeviceCodePendingPolls = 0;
        service.DeviceCodeIntervalSeconds = 0;
        var app = PublicClientApplicationBuilder.Create("0b6f3c1e-6e2a-4f8e-9d1c-2f7d5a4b3c21")
            .WithAuthority(AzureCloudInstance.AzurePublic, AadAuthorityAudience.PersonalMicrosoftAccount)
            .WithHttpClientFactory(new TrustingFactory(service))
            .Build();
        var result = await app.AcquireTokenWithDeviceCode(Scopes, _ => Task.CompletedTask).ExecuteAsync();
        Assert.Equal(HttpStatusCode.OK, await GetMeAsync(service, result.AccessToken));
        Assert.Contains("POST /consumers/oauth2/v2.0/devicecode", service.SignInRequests);
    }
}
