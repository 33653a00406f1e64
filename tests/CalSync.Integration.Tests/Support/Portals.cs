using Xunit;

namespace CalSync.Integration.Tests.Support;

/// <summary>The Bitrix24 portal set-ups the core scenarios run under: both cultures, UTC and skewed server zones.</summary>
public static class Portals
{
    public static TheoryData<string, string> All => new()
    {
        { "en", "UTC" },
        { "de", "UTC" },
        { "en", "America/Los_Angeles" },
        { "de", "Asia/Kolkata" },
    };
}
