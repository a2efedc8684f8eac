using System.Globalization;
using System.Management.Automation;

namespace DockerHostTools.Commands;

/// <summary>
/// Lets a TimeSpan parameter take a number of seconds (<c>-Interval 5</c>, <c>-Duration 0.5</c>) as well as a TimeSpan or
/// a TimeSpan string (<c>00:10:00</c>). Without it PowerShell would read 5 as five ticks.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class SecondsTransformationAttribute : ArgumentTransformationAttribute
{
    /// <inheritdoc />
    public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
    {
        var value = inputData is PSObject p ? p.BaseObject : inputData;
        return value switch
        {
            int or long or short or byte or double or float or decimal => TimeSpan.FromSeconds(Convert.ToDouble(value, CultureInfo.InvariantCulture)),
            string s when double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => TimeSpan.FromSeconds(d),
            _ => inputData,
        };
    }
}
