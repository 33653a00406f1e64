using System.Collections.Generic;
using CalSync.Engine.Model;

namespace CalSync.Engine.Sync;

/// <summary>The mode of a run as its plan and the history say it (<see cref="RunRecord.Mode"/>); scripts may read it.</summary>
public static class RunMode
{
    public const string Incremental = "Incremental";
    /// <summary>A reset (<see cref="SyncRunner.Reset"/>).</summary>
    public const string Reset = "Reset";

    /// <summary>"InitialMerge:&lt;merge&gt;", or <see cref="Incremental"/> for null.</summary>
    public static string Of(InitialMerge? merge) => merge is { } m ? "InitialMerge:" + m : Incremental;

    /// <summary>A removal of copies (<see cref="SyncRunner.RemoveCopiesAsync"/>) from one side or both.</summary>
    public static string RemoveCopies(IReadOnlyList<Side> sides) => "RemoveCopies:" + (sides.Count == 2 ? "Both" : sides[0].ToString());
}
