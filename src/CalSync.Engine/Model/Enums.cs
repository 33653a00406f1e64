namespace CalSync.Engine.Model;

/// <summary>The two calendars a sync joins.</summary>
public enum Side { Outlook, Bitrix24 }

/// <summary>Free/busy state, in Graph's vocabulary (Bitrix24 "accessibility" maps onto it).</summary>
public enum ShowAs { Free, Tentative, Busy, Oof, WorkingElsewhere, Unknown }

public enum Sensitivity { Normal, Personal, Private, Confidential }

public enum Importance { Low, Normal, High }

public static class SideExtensions
{
    public static Side Other(this Side side) => side == Side.Outlook ? Side.Bitrix24 : Side.Outlook;
}
