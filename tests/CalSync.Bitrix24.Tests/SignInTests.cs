using System.Net;
using CalSync.Bitrix24;
using Xunit;

namespace CalSync.Bitrix24.Tests;

/// <summary>The loopback listener of the browser sign-in, called over real HTTP as the browser would.</summary>
public sealed class SignInTests
{
    private static readonly HttpClient Browser = new() { Timeout = TimeSpan.FromSeconds(20) };

    private static string Back(Bitrix24SignIn signIn, string query) => signIn.RedirectUri.AbsoluteUri + "?" + query;

    [Fact]
    public void The_authorize_address_carries_the_app_the_loopback_redirect_and_a_fresh_state()
    {
        using var first = Bitrix24SignIn.Start(null);
        using var second = Bitrix24SignIn.Start(null);
        var uri = first.AuthorizeUri("https://example.bitrix24.com/", "local.abc.123");

        Assert.Equal("https://example.bitrix24.com/oauth/authorize/?client_id=local.abc.123&response_type=code&redirect_uri="
            + Uri.EscapeDataString(first.RedirectUri.AbsoluteUri) + "&state=" + first.State, uri.AbsoluteUri);
        Assert.StartsWith("http://localhost:", first.RedirectUri.AbsoluteUri, StringComparison.Ordinal);
        Assert.NotEqual(first.State, second.State);
        Assert.NotEqual(first.RedirectUri, second.RedirectUri);
    }

    [Fact]
    public async Task Other_requests_are_ignored_and_the_matching_answer_is_taken()
    {
        using var signIn = Bitrix24SignIn.Start(null);
        var wait = signIn.WaitAsync(TimeSpan.FromSeconds(20), default);

        Assert.Equal(HttpStatusCode.NotFound, (await Browser.GetAsync(signIn.RedirectUri.AbsoluteUri + "favicon.ico")).StatusCode);
        var answer = await Browser.GetAsync(Back(signIn, $"code=c0de&state={signIn.State}&domain=example.bitrix24.com&member_id=m1&scope=calendar%2Cuser_brief&server_domain=oauth.bitrix.info"));

        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Contains("signed in", await answer.Content.ReadAsStringAsync());
        var got = await wait;
        Assert.Equal(new Bitrix24Authorization("c0de", "example.bitrix24.com", "m1", "calendar,user_brief", "oauth.bitrix.info"), got);
        Assert.DoesNotContain("c0de", got.ToString());
    }

    [Fact]
    public async Task An_answer_with_another_state_fails_the_sign_in()
    {
        using var signIn = Bitrix24SignIn.Start(null);
        var wait = signIn.WaitAsync(TimeSpan.FromSeconds(20), default);

        var answer = await Browser.GetAsync(Back(signIn, "code=c0de&state=forged"));

        Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
        var error = await Assert.ThrowsAsync<Bitrix24SignInException>(() => wait);
        Assert.Contains("did not carry the state", error.Message);
        Assert.DoesNotContain("c0de", error.Message);
    }

    [Fact]
    public async Task A_refusal_fails_the_sign_in_saying_it_was_declined()
    {
        using var signIn = Bitrix24SignIn.Start(null);
        var wait = signIn.WaitAsync(TimeSpan.FromSeconds(20), default);

        await Browser.GetAsync(Back(signIn, $"error=access_denied&error_description=User%20said%20no&state={signIn.State}"));

        var error = await Assert.ThrowsAsync<Bitrix24SignInException>(() => wait);
        Assert.Contains("declined (access_denied: User said no)", error.Message);
    }

    [Fact]
    public async Task No_answer_in_time_fails_naming_the_handler_address()
    {
        using var signIn = Bitrix24SignIn.Start(new Uri("http://localhost:" + FreePort() + "/"));
        var error = await Assert.ThrowsAsync<Bitrix24SignInException>(() => signIn.WaitAsync(TimeSpan.FromSeconds(1), default));
        Assert.Contains("within 1 seconds", error.Message);
        Assert.Contains(signIn.RedirectUri.AbsoluteUri, error.Message);
    }

    [Theory]
    [InlineData("https://localhost:8080/")]
    [InlineData("http://example.com:8080/")]
    [InlineData("http://localhost:8080/?x=1")]
    public void A_redirect_address_off_this_computer_is_refused(string redirect) =>
        Assert.Throws<ArgumentException>(() => Bitrix24SignIn.Start(new Uri(redirect)));

    private static int FreePort()
    {
        var probe = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        try { return ((IPEndPoint)probe.LocalEndpoint).Port; }
        finally { probe.Stop(); }
    }
}
