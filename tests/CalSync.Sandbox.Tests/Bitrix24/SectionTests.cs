using System.Net;
using System.Text.Json;
using Xunit;

namespace CalSync.Sandbox.Tests.Bitrix24;

/// <summary>calendar.section.* (docs/bitrix24-api.md, "Sections").</summary>
public sealed class SectionTests
{
    [Fact]
    public async Task Default_section_has_the_documented_shape()
    {
        await using var b24 = await Bitrix24TestPortal.StartAsync();
        var s = (await b24.CallAsync("calendar.section.get", new { type = "user", ownerId = 1 })).Result!.AsArray().Single()!.AsObject();

        Assert.Equal(["ID", "NAME", "GAPI_CALENDAR_ID", "DESCRIPTION", "COLOR", "TEXT_COLOR", "EXPORT", "CAL_TYPE", "OWNER_ID", "CREATED_BY",
                      "DATE_CREATE", "TIMESTAMP_X", "CAL_DAV_CON", "SYNC_TOKEN", "PAGE_TOKEN", "EXTERNAL_TYPE", "ACCESS", "IS_COLLAB", "PERM"],
            s.Select(p => p.Key).ToArray());
        JsonAssert.String(b24.Service.DefaultSectionId.ToString(), s["ID"]);
        JsonAssert.String("1", s["OWNER_ID"]);
        JsonAssert.String("user", s["CAL_TYPE"]);
        JsonAssert.String("2024-12-01 09:00:00", s["DATE_CREATE"]);
        JsonAssert.String("local", s["EXTERNAL_TYPE"]);
        JsonAssert.Kind(JsonValueKind.Null, s["GAPI_CALENDAR_ID"]);
        JsonAssert.Kind(JsonValueKind.False, s["IS_COLLAB"]);
        Assert.True((bool)s["PERM"]!["edit"]!);
        Assert.True((bool)s["EXPORT"]!["ALLOW"]!);
    }

    [Fact]
    public async Task Add_update_delete_round_trip()
    {
        await using var b24 = await Bitrix24TestPortal.StartAsync();
        var add = await b24.CallAsync("calendar.section.add", new { type = "user", ownerId = 1, name = "Outlook", description = "synced" });
        JsonAssert.Kind(JsonValueKind.Number, add.Result);
        var id = add.Result!.GetValue<int>();

        var update = await b24.CallAsync("calendar.section.update", new { id, type = "user", ownerId = 1, name = "Outlook (sync)", color = "#9cbeee" });
        Assert.Equal(id, update.Result!.GetValue<int>());
        var listed = (await b24.CallAsync("calendar.section.get", new { type = "user" })).Result!.AsArray();
        var section = listed.Single(s => (string?)s!["ID"] == id.ToString())!;
        JsonAssert.String("Outlook (sync)", section["NAME"]);
        JsonAssert.String("#9cbeee", section["COLOR"]);
        JsonAssert.String("#000000", section["TEXT_COLOR"]);

        await b24.AddAsync(new { type = "user", ownerId = 1, name = "inside", from = "2024-12-02", to = "2024-12-02", section = id });
        var delete = await b24.CallAsync("calendar.section.delete", new { type = "user", ownerId = 1, id });
        JsonAssert.Kind(JsonValueKind.True, delete.Result);
        Assert.Single((await b24.CallAsync("calendar.section.get", new { type = "user" })).Result!.AsArray());
        Assert.Empty(await b24.GetEventsAsync("2024-12-01", "2024-12-31"));
    }

    [Fact]
    public async Task Seeded_external_sections_report_their_type()
    {
        await using var b24 = await Bitrix24TestPortal.StartAsync();
        var id = b24.Service.SeedSection("Office 365", "office365");
        var listed = (await b24.CallAsync("calendar.section.get", new { type = "user" })).Result!.AsArray();
        JsonAssert.String("office365", listed.Single(s => (string?)s!["ID"] == id.ToString())!["EXTERNAL_TYPE"]);
    }

    [Fact]
    public async Task Section_errors()
    {
        await using var b24 = await Bitrix24TestPortal.StartAsync();
        Assert.Equal("The mandatory parameter \"type\" is not specified for the method \"calendar.section.get\"",
            (await b24.CallAsync("calendar.section.get", new { ownerId = 1 })).Description);
        Assert.Equal("The mandatory parameter \"ownerId\" is not specified for the method \"calendar.section.get\"",
            (await b24.CallAsync("calendar.section.get", new { type = "group" })).Description);
        Assert.Equal("Section ID is not specified", (await b24.CallAsync("calendar.section.delete", new { type = "user", ownerId = 1 })).Description);
        Assert.Equal("Access denied", (await b24.CallAsync("calendar.section.add", new { type = "user", ownerId = 7, name = "x" })).Description);
        var invalidName = await b24.CallAsync("calendar.section.add", new { type = "user", name = 12 });
        Assert.Equal(HttpStatusCode.BadRequest, invalidName.Status);
        Assert.Equal("Invalid parameter value for \"name\"", invalidName.Description);
    }
}
