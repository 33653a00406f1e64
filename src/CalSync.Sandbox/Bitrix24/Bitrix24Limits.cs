namespace CalSync.Sandbox.Bitrix24;

/// <summary>Server-side limits (docs/bitrix24-api.md, "Limits"), changeable while the service runs.</summary>
public sealed class Bitrix24Limits
{
    /// <summary>Leaky bucket on/off: more than <see cref="BurstLimit"/> queued requests → 503 QUERY_LIMIT_EXCEEDED.</summary>
    public bool LeakyBucketEnabled { get; set; } = true;
    public int BurstLimit { get; set; } = 50;
    public double DrainPerSecond { get; set; } = 2;

    /// <summary>Per method and credential, summed execution time over 10 minutes; above the limit → 429 OPERATION_TIME_LIMIT.</summary>
    public bool OperatingLimitEnabled { get; set; }
    public TimeSpan OperatingLimit { get; set; } = TimeSpan.FromSeconds(480);
    /// <summary>Added to each call's measured execution time, so tests can reach the operating limit quickly.</summary>
    public TimeSpan SimulatedProcessingTime { get; set; }

    /// <summary>Status for INVALID_CREDENTIALS and insufficient_scope: the docs say 403, the source 401 (docs/bitrix24-api.md, "Authentication errors").</summary>
    public int AuthErrorStatus { get; set; } = 401;

    public void UseEnterprisePlan() { BurstLimit = 250; DrainPerSecond = 5; }
}
