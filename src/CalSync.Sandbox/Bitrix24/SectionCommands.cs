using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace CalSync.Sandbox.Bitrix24;

/// <summary><c>calendar.section.get|add|update|delete</c> (docs/bitrix24-api.md, "Sections"). Callers hold the state gate.</summary>
internal sealed partial class SectionCommands(Portal portal, CalendarState state)
{
    [GeneratedRegex(@"[^\w]")]
    private static partial Regex NonWord();

    private PortalCulture Culture => portal.Culture;

    public JsonArray Get(RestParams p)
    {
        const string method = "calendar.section.get";
        if (!p.Has("type")) throw Culture.Error(CalendarMessage.ParamMissing, "type", method);
        var type = p.String("type")!;
        var ownerId = OwnerOrCurrentUser(p, type, method);
        return new JsonArray(state.Sections
            .Where(s => s.Active && s.CalType == type && s.OwnerId == ownerId)
            .Select(s => (JsonNode)EventWire.Section(portal, s)).ToArray());
    }

    public int Add(RestParams p)
    {
        const string method = "calendar.section.add";
        if (!p.Has("type")) throw Culture.Error(CalendarMessage.ParamMissing, "type", method);
        var type = p.String("type")!;
        var ownerId = OwnerOrCurrentUser(p, type, method);
        if (!p.Has("name")) throw Culture.Error(CalendarMessage.ParamMissing, "name", method);
        if (!p.IsString("name")) throw Culture.Error(CalendarMessage.ParamInvalid, "name");
        CheckEditable(type, ownerId);

        var section = state.AddSection(p.String("name")!.Trim(), type, ownerId, "local");
        section = Apply(section, p);
        state.Put(section);
        return section.Id;
    }

    public int Update(RestParams p)
    {
        const string method = "calendar.section.update";
        var id = p.Int("id");
        if (id <= 0) throw Culture.Error(CalendarMessage.SectionIdMissing);
        if (!p.Has("type")) throw Culture.Error(CalendarMessage.ParamMissing, "type", method);
        if (!p.Has("ownerId")) throw Culture.Error(CalendarMessage.ParamMissing, "ownerId", method);
        var type = p.String("type")!;
        var ownerId = p.Int("ownerId");
        CheckEditable(type, ownerId);
        if (state.Section(id) is not { Active: true } current || current.CalType != type || current.OwnerId != ownerId)
            throw Culture.Error(CalendarMessage.SectionUpdateError);
        if (p.Has("name") && !p.IsString("name")) throw Culture.Error(CalendarMessage.ParamInvalid, "name");

        state.Put(Apply(current, p) with { ModifiedUtc = portal.UtcNow });
        return id;
    }

    public bool Delete(RestParams p)
    {
        const string method = "calendar.section.delete";
        if (!p.Has("type")) throw Culture.Error(CalendarMessage.ParamMissing, "type", method);
        if (!p.Has("ownerId")) throw Culture.Error(CalendarMessage.ParamMissing, "ownerId", method);
        var id = p.Int("id");
        if (id <= 0) throw Culture.Error(CalendarMessage.SectionIdMissing);
        var type = p.String("type")!;
        var ownerId = p.Int("ownerId");
        CheckEditable(type, ownerId);
        if (state.Section(id) is not { Active: true } current || current.CalType != type || current.OwnerId != ownerId)
            throw Culture.Error(CalendarMessage.SectionDeleteError);

        var now = portal.UtcNow;
        state.Put(current with { Active = false, ModifiedUtc = now });
        // Deleting a calendar deletes its events.
        foreach (var e in state.Events.Where(e => e.SectionId == id && !e.Deleted).ToList())
            state.Put(e with { Deleted = true, ModifiedUtc = now });
        return true;
    }

    /// <summary>Where <c>calendar.event.add</c> puts an event without <c>section</c>: the owner's default calendar, created if missing.</summary>
    public int DefaultFor(string type, int ownerId)
    {
        if (type == "user" && ownerId == portal.UserId && state.Section(state.DefaultSectionId) is { Active: true })
            return state.DefaultSectionId;
        var existing = state.Sections.FirstOrDefault(s => s.Active && s.CalType == type && s.OwnerId == ownerId && s.ExternalType == "local");
        if (existing is not null) return existing.Id;
        var created = state.AddSection(type == "user" ? portal.NameOf(ownerId) : Culture.Code == "de" ? "Kalender" : "Calendar", type, ownerId, "local");
        if (type == "user" && ownerId == portal.UserId) state.ReplaceDefaultSection(created.Id);
        return created.Id;
    }

    /// <summary>A section an event may be saved in: active, of the same type and owner.</summary>
    public bool IsUsable(int sectionId, string type, int ownerId) =>
        state.Section(sectionId) is { Active: true } s && s.CalType == type && s.OwnerId == ownerId;

    /// <summary>The caller may edit their own, group and company calendars.</summary>
    public void CheckEditable(string type, int ownerId)
    {
        var allowed = type switch
        {
            "user" => ownerId == portal.CallerId,
            "group" or "company_calendar" => true,
            _ => false,
        };
        if (!allowed) throw Culture.Error(CalendarMessage.AccessDenied);
    }

    private int OwnerOrCurrentUser(RestParams p, string type, string method)
    {
        if (p.Has("ownerId")) return p.Int("ownerId");
        if (type == "user") return portal.CallerId;
        throw Culture.Error(CalendarMessage.ParamMissing, "ownerId", method);
    }

    private static Bitrix24Section Apply(Bitrix24Section s, RestParams p)
    {
        if (p.Has("name")) s = s with { Name = p.String("name")!.Trim() };
        if (p.Has("description")) s = s with { Description = p.String("description") ?? "" };
        if (p.Has("color")) s = s with { Color = NormalizeColor(p.String("color")) };
        if (p.Has("text_color")) s = s with { TextColor = NormalizeColor(p.String("text_color")) };
        if (p.Object("export") is { } export && export["ALLOW"] is { } allow && export["SET"] is { } set)
            s = s with { ExportAllow = RestParams.IsTruthy(allow), ExportSet = RestParams.ToScalarString(set) };
        if (p.Object("access") is { } access)
            s = s with { Access = access.ToDictionary(a => a.Key, a => RestParams.ToInt(a.Value)) };
        return s;
    }

    /// <summary>All non-word characters are stripped and the first six kept: <c>"%23000000"</c> becomes <c>#230000</c> (docs/bitrix24-api.md, "calendar.event.add").</summary>
    public static string NormalizeColor(string? value)
    {
        var hex = NonWord().Replace(value ?? "", "");
        return hex.Length == 0 ? "" : "#" + hex[..Math.Min(6, hex.Length)];
    }
}
