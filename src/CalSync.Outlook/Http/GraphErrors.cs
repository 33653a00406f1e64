using System;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Threading;
using CalSync.Engine.Model;
using CalSync.Engine.Sides;
using Microsoft.Graph.Models.ODataErrors;
using Microsoft.Kiota.Abstractions;

namespace CalSync.Outlook.Http;

/// <summary>Turns SDK exceptions into what the engine understands. Messages carry codes and text from Graph, never tokens.</summary>
internal static class GraphErrors
{
    public static int StatusOf(Exception ex) => ex is ApiException api ? api.ResponseStatusCode : 0;

    public static string? CodeOf(Exception ex) => (ex as ODataError)?.Error?.Code;

    public static string Describe(Exception ex) => ex switch
    {
        ODataError o => $"{o.ResponseStatusCode} {o.Error?.Code}: {o.Error?.Message ?? o.Message}",
        ApiException a => $"{a.ResponseStatusCode}: {a.Message}",
        _ => ex.Message,
    };

    /// <summary>A side-level failure (auth, outage) as <see cref="SideUnavailableException"/>; null when it is an item's own failure.</summary>
    public static SideUnavailableException? AsSideFailure(Exception ex, CancellationToken cancellationToken)
    {
        switch (ex)
        {
            case SideUnavailableException side:
                return side;
            case ApiException api when api.ResponseStatusCode == 401:
                return new SideUnavailableException(Side.Outlook,
                    "Outlook rejected the sign-in even after a token refresh (401). Run Connect-OutlookCalendar to sign in again.", isAuthentication: true, ex);
            case AggregateException agg when agg.InnerExceptions.OfType<ApiException>().Any():
                var last = agg.InnerExceptions.OfType<ApiException>().Last();
                return new SideUnavailableException(Side.Outlook,
                    $"Outlook kept answering {last.ResponseStatusCode} (throttled or unavailable) after every retry; try again later.", isAuthentication: false, ex);
            case ApiException api when api.ResponseStatusCode >= 500:
                return new SideUnavailableException(Side.Outlook, $"Outlook is unavailable ({Describe(ex)}).", isAuthentication: false, ex);
            case HttpRequestException:
            case IOException:
                return new SideUnavailableException(Side.Outlook, "Outlook could not be reached: " + ex.Message, isAuthentication: false, ex);
            case OperationCanceledException when !cancellationToken.IsCancellationRequested:
                return new SideUnavailableException(Side.Outlook, "Outlook did not answer in time, after every retry.", isAuthentication: false, ex);
            default:
                return null;
        }
    }
}
