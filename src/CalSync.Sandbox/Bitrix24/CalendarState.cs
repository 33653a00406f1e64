using System.Security.Cryptography;
using System.Text;

namespace CalSync.Sandbox.Bitrix24;

/// <summary>
/// The portal's calendar rows. Callers hold <see cref="Gate"/> for a whole method call, so each call sees and
/// leaves a consistent state (batch sub-calls each take it on their own).
/// </summary>
internal sealed class CalendarState
{
    // Section and event IDs come from different ranges so a client that mixes them up fails loudly.
    private const int FirstSectionId = 4;
    private const int FirstEventId = 1001;

    private readonly Dictionary<int, Bitrix24Section> _sections = new();
    private readonly Dictionary<int, Bitrix24Event> _events = new();
    private readonly Portal _portal;
    private int _nextSectionId = FirstSectionId;
    private int _nextEventId = FirstEventId;

    public CalendarState(Portal portal)
    {
        _portal = portal;
        Reset();
    }

    public object Gate { get; } = new();

    /// <summary>The user's default calendar (receives events added without <c>section</c>).</summary>
    public int DefaultSectionId { get; private set; }

    public void Reset()
    {
        lock (Gate)
        {
            _sections.Clear();
            _events.Clear();
            _nextSectionId = FirstSectionId;
            _nextEventId = FirstEventId;
            DefaultSectionId = AddSection(_portal.UserName, "user", _portal.UserId, "local").Id;
        }
    }

    public Bitrix24Section AddSection(string name, string calType, int ownerId, string externalType)
    {
        var now = _portal.UtcNow;
        var section = new Bitrix24Section
        {
            Id = _nextSectionId++, Name = name, CalType = calType, OwnerId = ownerId, CreatedBy = _portal.CallerId,
            CreatedUtc = now, ModifiedUtc = now, ExternalType = externalType,
            Access = new Dictionary<string, int> { ["G2"] = 13, ["U" + _portal.CallerId] = 19 },
        };
        _sections[section.Id] = section;
        return section;
    }

    public void ReplaceDefaultSection(int id) => DefaultSectionId = id;

    public int NewEventId() => _nextEventId++;
    public int NewSectionId() => _nextSectionId++;

    public Bitrix24Section? Section(int id) => _sections.GetValueOrDefault(id);
    public IEnumerable<Bitrix24Section> Sections => _sections.Values.OrderBy(s => s.Id);
    public void Put(Bitrix24Section section) => _sections[section.Id] = section;

    public Bitrix24Event? Event(int id) => _events.GetValueOrDefault(id);
    public IEnumerable<Bitrix24Event> Events => _events.Values.OrderBy(e => e.Id);
    public void Put(Bitrix24Event e) => _events[e.Id] = e;

    /// <summary>An iCal UID like Bitrix24 generates: <c>20241211T155900Z-&lt;md5&gt;@host</c>.</summary>
    public string NewDavXmlId(DateTime utc)
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Guid.NewGuid().ToString())))[..32];
        return $"{utc:yyyyMMdd'T'HHmmss'Z'}-{hash}@{_portal.DavHost}";
    }
}
