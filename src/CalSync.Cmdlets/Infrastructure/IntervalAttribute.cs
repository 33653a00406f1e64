using System;
using System.Globalization;
using System.Management.Automation;

namespace CalSync.PowerShell.Infrastructure;

/// <summary>
/// -Interval in the units people think in: a number is minutes (<c>-Interval 15</c>), as is a numeric string; a time
/// span stays one (<c>'00:15:00'</c>, <c>(New-TimeSpan -Minutes 15)</c>). PowerShell alone reads 15 as 15 ticks.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class IntervalAttribute : ArgumentTransformationAttribute
{
    public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
    {
        var value = inputData is PSObject wrapped ? wrapped.BaseObject : inputData;
        switch (value)
        {
            case null:
            case TimeSpan:
                return value;
            case int or long or short or byte or double or float or decimal:
                return TimeSpan.FromMinutes(Convert.ToDouble(value, CultureInfo.InvariantCulture));
            case string text when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var minutes):
                return TimeSpan.FromMinutes(minutes);
            case string text when TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var span):
                return span;
            default:
                throw new ArgumentTransformationMetadataException(
                    $"'{value}' is not an interval. Give minutes (-Interval 15) or a time span (-Interval '00:15:00' or -Interval (New-TimeSpan -Minutes 15)).");
        }
    }
}
