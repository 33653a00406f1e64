using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using CalSync.Bitrix24.Rest;

namespace CalSync.Bitrix24;

/// <summary>A Bitrix24 calendar ("section").</summary>
public sealed record Bitrix24Section(string Id, string Name, string CalendarType, string OwnerId, string ExternalType, string Color)
{
    /// <summary>True for Bitrix24's own calendars; other values are synced by Bitrix24's connectors (google, office365, caldav...).</summary>
    public bool IsLocal => ExternalType.Length == 0 || ExternalType.Equals("local", StringComparison.OrdinalIgnoreCase);

    internal static Bitrix24Section Parse(JsonElement e) => new(
        e.Str("ID") ?? "", e.Str("NAME") ?? "", e.Str("CAL_TYPE") ?? "", e.Str("OWNER_ID") ?? "", e.Str("EXTERNAL_TYPE") ?? "local", e.Str("COLOR") ?? "");
}

/// <summary>A section could not be used: unknown, ambiguous, or synced by one of Bitrix24's own connectors.</summary>
public sealed class Bitrix24SectionException : InvalidOperationException
{
    public Bitrix24SectionException(string message) : base(message) { }
}

/// <summary>Lists, chooses and creates calendars (sections) of one owner.</summary>
public sealed class Bitrix24Sections
{
    private readonly Bitrix24RestClient _client;
    private readonly string _type;

    public Bitrix24Sections(Bitrix24RestClient client, string calendarType = "user")
    {
        _client = client;
        _type = calendarType;
    }

    internal IReadOnlyList<KeyValuePair<string, object?>> GetParameters() => new List<KeyValuePair<string, object?>>
    {
        new("type", _type),
        new("ownerId", _client.UserId),
    };

    public async Task<IReadOnlyList<Bitrix24Section>> ListAsync(CancellationToken cancellationToken)
    {
        var result = await _client.CallAsync("calendar.section.get", GetParameters(), cancellationToken).ConfigureAwait(false);
        return Parse(result);
    }

    internal static IReadOnlyList<Bitrix24Section> Parse(JsonElement result) => Json.Items(result).Select(Bitrix24Section.Parse).ToList();

    /// <summary>Picks the section by id, else by name (case-insensitive); refuses sections synced by Bitrix24's own connectors.</summary>
    public static Bitrix24Section Choose(IReadOnlyList<Bitrix24Section> sections, string? id, string? name)
    {
        Bitrix24Section? chosen;
        if (!string.IsNullOrWhiteSpace(id))
        {
            chosen = sections.FirstOrDefault(s => s.Id == id!.Trim())
                ?? throw new Bitrix24SectionException($"Bitrix24 has no calendar with id {id} for this user. Available: {Describe(sections)}.");
        }
        else if (!string.IsNullOrWhiteSpace(name))
        {
            var matches = sections.Where(s => string.Equals(s.Name, name!.Trim(), StringComparison.OrdinalIgnoreCase)).ToList();
            if (matches.Count == 0)
                throw new Bitrix24SectionException($"Bitrix24 has no calendar named '{name}'. Available: {Describe(sections)}. Create a dedicated calendar, or pick one of these.");
            if (matches.Count > 1)
                throw new Bitrix24SectionException($"Bitrix24 has {matches.Count} calendars named '{name}' (ids {string.Join(", ", matches.Select(m => m.Id))}); choose one by id.");
            chosen = matches[0];
        }
        else
        {
            throw new Bitrix24SectionException($"Choose a Bitrix24 calendar by name or id. Available: {Describe(sections)}.");
        }
        if (!chosen.IsLocal)
            throw new Bitrix24SectionException(
                $"The Bitrix24 calendar '{chosen.Name}' (id {chosen.Id}) is synced by Bitrix24's own '{chosen.ExternalType}' connector; syncing it too would duplicate meetings. Choose a local Bitrix24 calendar, or create a dedicated one.");
        return chosen;
    }

    /// <summary>Creates a dedicated local calendar and returns it.</summary>
    public async Task<Bitrix24Section> CreateAsync(string name, string? color, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(name)) throw new ArgumentException("A calendar name is required.", nameof(name));
        var parameters = new List<KeyValuePair<string, object?>>(GetParameters())
        {
            new("name", name.Trim()),
            new("description", "Meetings synced by CalSync"),
        };
        if (!string.IsNullOrEmpty(color)) parameters.Add(new("color", color));
        var result = await _client.CallAsync("calendar.section.add", parameters, cancellationToken).ConfigureAwait(false);
        var id = Json.AsString(result) ?? throw new Bitrix24SectionException("Bitrix24 did not return the new calendar's id.");
        var sections = await ListAsync(cancellationToken).ConfigureAwait(false);
        return sections.FirstOrDefault(s => s.Id == id) ?? new Bitrix24Section(id, name.Trim(), _type, _client.UserId.ToString(System.Globalization.CultureInfo.InvariantCulture), "local", color ?? "");
    }

    /// <summary>Deletes a calendar and its events (<c>calendar.section.delete</c>); the probe's scratch calendar only.</summary>
    public async Task DeleteAsync(string id, CancellationToken cancellationToken)
    {
        var parameters = new List<KeyValuePair<string, object?>>(GetParameters()) { new("id", id) };
        await _client.CallAsync("calendar.section.delete", parameters, cancellationToken).ConfigureAwait(false);
    }

    private static string Describe(IReadOnlyList<Bitrix24Section> sections) =>
        sections.Count == 0 ? "none" : string.Join(", ", sections.Select(s => $"'{s.Name}' (id {s.Id}{(s.IsLocal ? "" : ", " + s.ExternalType + ": not usable")})"));
}
