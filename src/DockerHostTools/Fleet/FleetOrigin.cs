using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Runtime.CompilerServices;

namespace DockerHostTools.Fleet;

/// <summary>
/// Where a fleet finding came from: the host as addressed and the runspace it was read through. Kept beside the
/// finding object (not as a property a script could change), so Repair-DockerHost sends a finding only to its own host.
/// </summary>
internal sealed record FleetOrigin(string HostName, Runspace Runspace)
{
    private static readonly ConditionalWeakTable<object, FleetOrigin> Origins = new();

    /// <summary>Tags a finding: NoteProperties HostName and PSComputerName, and its origin.</summary>
    public static PSObject Tag(object finding, string hostName, Runspace runspace)
    {
        var wrapped = PSObject.AsPSObject(finding);
        Note(wrapped, "HostName", hostName);
        Note(wrapped, "PSComputerName", hostName);
        Origins.AddOrUpdate(finding, new FleetOrigin(hostName, runspace));
        return wrapped;
    }

    /// <summary>Adds or replaces a NoteProperty.</summary>
    public static void Note(PSObject target, string name, object? value)
    {
        if (target.Properties[name] is { } existing && existing is PSNoteProperty)
        {
            existing.Value = value;
            return;
        }

        if (target.Properties[name] is null)
        {
            target.Properties.Add(new PSNoteProperty(name, value));
        }
    }

    /// <summary>The origin of a piped finding, when it was tagged in this process.</summary>
    public static FleetOrigin? Of(PSObject? item) =>
        item?.BaseObject is { } b && Origins.TryGetValue(b, out var o) ? o : null;

    /// <summary>The host name a finding read back from a file carries (HostName, else PSComputerName).</summary>
    public static string? HostNameOf(PSObject? item)
    {
        var v = item?.Properties["HostName"]?.Value ?? item?.Properties["PSComputerName"]?.Value;
        return (v is PSObject p ? p.BaseObject : v)?.ToString() is { Length: > 0 } s ? s : null;
    }
}
