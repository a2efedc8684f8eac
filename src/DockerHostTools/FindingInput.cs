using System.Collections;
using System.Management.Automation;
using DockerHostTools.Core.Diagnosis;
using DockerHostTools.Core.Firewalld;
using DockerHostTools.Core.Iptables;
using DockerHostTools.Core.Repair;
using DockerHostTools.Core.Sysctl;

namespace DockerHostTools;

/// <summary>
/// Turns pipeline input into a <see cref="Finding"/>: a live one as it is, one read back from CLIXML or ConvertFrom-Json
/// (a property bag) rebuilt from its typed Subject and Intent, property by property. Nothing is parsed out of text.
/// </summary>
internal static class FindingInput
{
    /// <summary>The finding, or null when the input is not one.</summary>
    public static Finding? From(PSObject? input)
    {
        if (input?.BaseObject is Finding live)
        {
            return live;
        }

        if (input is null || Text(input, "Id") is not { Length: > 0 } id || Bag(input, "Subject") is not { } subjectBag)
        {
            return null;
        }

        var subject = new FindingSubject
        {
            Kind = Enum<SubjectKind>(subjectBag, "Kind") ?? SubjectKind.Port,
            Family = Enum<IpFamily>(subjectBag, "Family"),
            Key = Text(subjectBag, "Key"),
            Port = Int(subjectBag, "Port"),
            Protocol = Text(subjectBag, "Protocol"),
            Variant = Enum<IptablesVariant>(subjectBag, "Variant"),
            Table = Text(subjectBag, "Table"),
            Chain = Text(subjectBag, "Chain"),
            Unit = Text(subjectBag, "Unit"),
            Zone = Text(subjectBag, "Zone"),
            Ruleset = Value(subjectBag, "Ruleset") is bool b && b,
            Policy = Text(subjectBag, "Policy"),
        };
        var intentBag = Bag(input, "Intent");
        var intent = intentBag is null ? RepairIntent.Nothing : new RepairIntent
        {
            Action = Enum<RepairAction>(intentBag, "Action") ?? RepairAction.None,
            Families = List(intentBag, "Families").Select(v => ToEnum<IpFamily>(v)).OfType<IpFamily>().ToList(),
            OverrideLaterFiles = Value(intentBag, "OverrideLaterFiles") is bool o && o,
            Port = Int(intentBag, "Port"),
            Protocol = Text(intentBag, "Protocol"),
            Zone = Text(intentBag, "Zone"),
            Configurations = List(intentBag, "Configurations").Select(v => ToEnum<FirewalldConfiguration>(v)).OfType<FirewalldConfiguration>().ToList(),
            Containers = List(intentBag, "Containers").Select(v => v?.ToString()).OfType<string>().ToList(),
        };
        var severity = Enum<FindingSeverity>(input, "Severity") ?? FindingSeverity.Info;
        return new Finding(id, severity, subject, Text(input, "Message") ?? string.Empty,
            List(input, "Evidence").Select(v => v?.ToString()).OfType<string>().ToList(),
            List(input, "Remedy").Select(ToRemedy).OfType<Remedy>().ToList(), intent);
    }

    /// <summary>
    /// A remedy read back: a bag with Shell and Command (CLIXML, JSON), or a plain string from a file written before remedies
    /// were typed (a command that starts Verb-Noun is PowerShell's, any other bash's).
    /// </summary>
    private static Remedy? ToRemedy(object? value)
    {
        switch (value)
        {
            case Remedy r:
                return r;
            case string s when s.Length > 0:
                return new Remedy(System.Text.RegularExpressions.Regex.IsMatch(s, "^[A-Z][a-z]+-[A-Z]") ? RemedyShell.PowerShell : RemedyShell.Bash, s);
            case null:
                return null;
        }

        var bag = value as PSObject ?? new PSObject(value);
        return Text(bag, "Command") is { Length: > 0 } command ? new Remedy(Enum<RemedyShell>(bag, "Shell") ?? RemedyShell.Bash, command) : null;
    }

    private static object? Value(PSObject bag, string name)
    {
        var v = bag.Properties[name]?.Value;
        return v is PSObject p ? p.BaseObject : v;
    }

    private static PSObject? Bag(PSObject bag, string name) => bag.Properties[name]?.Value switch
    {
        PSObject p => p,
        null => null,
        var other => new PSObject(other),
    };

    private static string? Text(PSObject bag, string name) => Value(bag, name)?.ToString();

    private static int? Int(PSObject bag, string name) => Value(bag, name) switch
    {
        int i => i,
        long l when l is >= int.MinValue and <= int.MaxValue => (int)l,
        string s when int.TryParse(s, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var i) => i,
        _ => null,
    };

    private static T? Enum<T>(PSObject bag, string name) where T : struct, Enum => ToEnum<T>(Value(bag, name));

    private static T? ToEnum<T>(object? value) where T : struct, Enum => value switch
    {
        PSObject p => ToEnum<T>(p.BaseObject),
        T t => t,
        string s when System.Enum.TryParse<T>(s, ignoreCase: true, out var v) => v,
        int i when System.Enum.IsDefined(typeof(T), i) => (T)(object)i,
        long l when System.Enum.IsDefined(typeof(T), (int)l) => (T)(object)(int)l,
        _ => null,
    };

    private static IEnumerable<object?> List(PSObject bag, string name) => Value(bag, name) switch
    {
        null => [],
        string s => [s],
        IEnumerable e => e.Cast<object?>().Select(x => x is PSObject p && p.BaseObject is not PSCustomObject ? p.BaseObject : x),
        var one => [one],
    };
}
