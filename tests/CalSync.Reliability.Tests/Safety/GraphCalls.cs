using System.Net.Http.Headers;
using System.Text;
using CalSync.Sandbox;

namespace CalSync.Reliability.Tests.Safety;

/// <summary>A user's own edits in Outlook, through the Graph stand-in's API (as another client would make them).</summary>
public static class GraphCalls
{
    public static async Task DeleteAsync(SandboxHost host, string id)
    {
        using var http = Client(host);
        (await http.DeleteAsync(host.Graph.BaseUrl + "/me/events/" + Uri.EscapeDataString(id))).EnsureSuccessStatusCode();
    }

    public static async Task PatchAsync(SandboxHost host, string id, string json)
    {
        using var http = Client(host);
        var request = new HttpRequestMessage(HttpMethod.Patch, host.Graph.BaseUrl + "/me/events/" + Uri.EscapeDataString(id))
        {
            Content = new StringContent(json, Encoding.UTF8, "application/json"),
        };
        (await http.SendAsync(request)).EnsureSuccessStatusCode();
    }

    private static HttpClient Client(SandboxHost host)
    {
        var http = new HttpClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", host.Graph.AccessToken);
        return http;
    }
}
