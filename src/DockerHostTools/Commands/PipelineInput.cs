using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Management.Automation;
using System.Runtime.CompilerServices;

namespace DockerHostTools.Commands;

/// <summary>
/// On a parameter that takes pipeline input by value: an object with none of the property names the command binds
/// (<c>[pscustomobject]@{Foo=1}</c>, a hashtable, an object whose text is only its type name) is not turned into a string
/// such as <c>@{Foo=1}</c> (which then fails as a bad host, port or zone). It becomes a marked value the command
/// recognises and answers with <see cref="PipelineInput.NotRecognized"/>: one error naming the properties it expects.
/// An object that has one of <see cref="Names"/> gives that property's value: PowerShell tries binding by value with
/// type conversion before binding by property name with it, so an object with <c>PublicPort = 5000</c> (an int) would
/// otherwise bind as the text of the whole object. An object with one of <see cref="OtherNames"/> is left as it is, so
/// PowerShell binds it to the command's other parameters by property name.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class PipelineInputAttribute : ArgumentTransformationAttribute
{
    /// <summary>Creates the attribute.</summary>
    /// <param name="names">The property names whose value is this parameter's value, in order of preference.</param>
    public PipelineInputAttribute(params string[] names)
    {
        Names = names ?? [];
    }

    /// <summary>The property names whose value is this parameter's value.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>Property names that bind other parameters of the command (the object is then left as it is).</summary>
    public string[] OtherNames { get; set; } = [];

    /// <summary>True when the parameter is an int array (the mark is then an empty int array), else a string array.</summary>
    public bool Numbers { get; set; }

    /// <inheritdoc />
    public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
    {
        if (inputData is null)
        {
            return null;
        }

        if (PipelineInput.ValueOf(inputData, Names, OtherNames, out var value))
        {
            return value;
        }

        var all = Names.Concat(OtherNames).ToList();
        if (PipelineInput.Unrecognizable(inputData, all))
        {
            return PipelineInput.Mark(inputData, Numbers);
        }

        if (PSObject.AsPSObject(inputData).BaseObject is IList list)
        {
            foreach (var item in list)
            {
                if (item is not null && PipelineInput.Unrecognizable(item, all))
                {
                    return PipelineInput.Mark(item, Numbers);
                }
            }
        }

        return inputData;
    }
}

/// <summary>The marks <see cref="PipelineInputAttribute"/> leaves, and the error a command writes for one.</summary>
internal static class PipelineInput
{
    /// <summary>The error id of an object the command cannot bind.</summary>
    public const string InputObjectNotRecognized = nameof(InputObjectNotRecognized);

    // Keyed by the array instance handed to the parameter: PowerShell assigns an array of the parameter's type as it is.
    private static readonly ConditionalWeakTable<object, object> Marks = new();

    /// <summary>
    /// For an object (not a string, number or list) with one of <paramref name="names"/>: true and that property's value;
    /// with one of <paramref name="otherNames"/> instead: true and the object itself. False otherwise.
    /// </summary>
    public static bool ValueOf(object value, IReadOnlyList<string> names, IReadOnlyList<string> otherNames, out object? result)
    {
        result = null;
        var ps = PSObject.AsPSObject(value);
        var baseObject = ps.BaseObject;
        if (baseObject is string or IList or IDictionary || baseObject.GetType().IsPrimitive || baseObject.GetType().IsEnum)
        {
            return false;
        }

        foreach (var n in names)
        {
            if (ps.Properties[n] is { } p)
            {
                result = p.Value;
                return true;
            }
        }

        if (otherNames.Any(n => ps.Properties[n] is not null))
        {
            result = value;
            return true;
        }

        return false;
    }

    /// <summary>True for an object that binds nothing by name and whose text would be meaningless as the parameter's value.</summary>
    public static bool Unrecognizable(object value, IReadOnlyList<string> names)
    {
        var ps = PSObject.AsPSObject(value);
        var baseObject = ps.BaseObject;
        if (baseObject is string or IList || baseObject.GetType().IsPrimitive || baseObject.GetType().IsEnum)
        {
            return false;
        }

        if (names.Any(n => ps.Properties[n] is not null))
        {
            return false; // bound by property name
        }

        return baseObject is PSCustomObject or IDictionary ||
            string.Equals(baseObject.ToString(), baseObject.GetType().FullName, StringComparison.Ordinal);
    }

    /// <summary>The marked value that stands for <paramref name="original"/>.</summary>
    [SuppressMessage("Performance", "CA1825:Avoid zero-length array allocations", Justification = "The mark is the array's identity: it must be a new instance.")]
    public static object Mark(object original, bool numbers)
    {
        object mark = numbers ? new int[0] : new[] { "(unrecognized input)" };
        Marks.AddOrUpdate(mark, original);
        return mark;
    }

    /// <summary>The object a marked parameter value stands for, or null when the value is not a mark.</summary>
    public static object? Original(object? parameterValue) =>
        parameterValue is not null && Marks.TryGetValue(parameterValue, out var original) ? original : null;

    /// <summary>
    /// The error for an object the command cannot bind: InputObjectNotRecognized, InvalidArgument, the piped object as
    /// the target, and the property names that bind.
    /// </summary>
    /// <param name="original">The piped object.</param>
    /// <param name="command">The command's name.</param>
    /// <param name="expected">What it takes, in words.</param>
    /// <param name="property">The property an example renames to.</param>
    public static ErrorRecord NotRecognized(object original, string command, string expected, string property)
    {
        var ps = PSObject.AsPSObject(original);
        var properties = ps.BaseObject is IDictionary d
            ? string.Join(", ", d.Keys.Cast<object>().Select(k => k?.ToString()))
            : string.Join(", ", ps.Properties.Select(p => p.Name));
        var what = ps.BaseObject is PSCustomObject ? "object" : ps.BaseObject.GetType().Name;
        return new ErrorRecord(
            new ArgumentException($"{command} cannot use the piped {what} ({(properties.Length == 0 ? "no properties" : "properties: " + properties)}): " +
                $"it takes {expected}. Select or rename a property, for example: Select-Object @{{n='{property}'; e={{$_.YourProperty}}}}."),
            InputObjectNotRecognized, ErrorCategory.InvalidArgument, original);
    }
}
