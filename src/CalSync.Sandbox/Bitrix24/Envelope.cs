using System.Globalization;
using System.Text.Json.Nodes;

namespace CalSync.Sandbox.Bitrix24;

/// <summary>The <c>time</c> object of a success answer and the error body (docs/bitrix24-api.md, "The answer envelope").</summary>
internal static class Envelope
{
    public static JsonObject Time(Portal portal, DateTimeOffset start, double processing, double? operating = null, long? operatingResetAt = null)
    {
        var finish = start + TimeSpan.FromSeconds(processing);
        var time = new JsonObject
        {
            ["start"] = Seconds(start),
            ["finish"] = Seconds(finish),
            ["duration"] = Seconds(finish) - Seconds(start),
            ["processing"] = processing,
            // date('c') in the server zone; its offset says nothing about the user's zone.
            ["date_start"] = IsoInServerZone(portal, start),
            ["date_finish"] = IsoInServerZone(portal, finish),
        };
        if (operatingResetAt is long resetAt)
        {
            time["operating_reset_at"] = resetAt;
            time["operating"] = operating ?? 0;
        }
        return time;
    }

    /// <summary>Errors carry no <c>time</c> object.</summary>
    public static JsonObject Error(Bitrix24RestException error) => new()
    {
        ["error"] = error.Code,
        ["error_description"] = error.Description,
    };

    private static double Seconds(DateTimeOffset at) => Math.Round((at - DateTimeOffset.UnixEpoch).TotalSeconds, 6);

    private static string IsoInServerZone(Portal portal, DateTimeOffset at)
    {
        var offset = portal.ServerZone.GetUtcOffset(at);
        return at.ToOffset(offset).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);
    }
}
