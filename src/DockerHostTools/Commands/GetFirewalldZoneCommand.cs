using System.Management.Automation;
using DockerHostTools.Core.Firewalld;
using DockerHostTools.Core.Native;

namespace DockerHostTools.Commands;

/// <summary>
/// <para type="synopsis">Lists firewalld's zones as objects: target, interfaces, sources, services, ports, forward ports, masquerade, rich rules.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "FirewalldZone", HelpUri = ProjectInfo.HelpBase + "Get-FirewalldZone.md")]
[OutputType(typeof(FirewalldZone))]
public sealed class GetFirewalldZoneCommand : DockerHostCmdlet
{
    /// <summary>Zone names (wildcards allowed); all zones by default.</summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    [Alias("Zone")]
    [PipelineInput("Name", "Zone")]
    [ArgumentCompleter(typeof(Completers.FirewalldZoneCompleter))]
    public string[]? Name { get; set; }

    /// <summary>Read the permanent configuration instead of the runtime one.</summary>
    [Parameter]
    public SwitchParameter Permanent { get; set; }

    private FirewalldState? _state;

    /// <summary>Reads firewalld's state once, on the first input with valid patterns (a bad pattern fails without asking firewalld).</summary>
    private void ReadState()
    {
        if (_state is not null)
        {
            return;
        }

        _state = Await(ct => FirewalldReader.GetStateAsync(Runner, LiveFiles, ct));
        if (!_state.IsRunning)
        {
            ThrowTerminatingError(FirewalldCommandSupport.ToFirewalldError(new FirewalldNotRunningException(_state.State,
                $"firewalld is {_state.State}: it has no zones to show. {_state.Message}"), null)!);
        }
    }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        if (PipelineInput.Original(Name) is { } original)
        {
            WriteError(PipelineInput.NotRecognized(original, MyInvocation.MyCommand.Name, "zone names or objects with a Name (or Zone) property", "Name"));
            return;
        }

        var patterns = new List<string>();
        foreach (var pattern in Name ?? [])
        {
            if (Wildcards.TryCreate(pattern, out var bad) is null)
            {
                WriteError(bad!);
            }
            else
            {
                patterns.Add(pattern);
            }
        }

        if (Name is not null && patterns.Count == 0)
        {
            return;
        }

        ReadState();
        var zones = Permanent ? _state!.PermanentZones : _state!.Zones;
        if (Name is null)
        {
            WriteObject(zones, enumerateCollection: true);
            return;
        }

        foreach (var pattern in patterns)
        {
            var matched = zones.Where(z => FirewalldCommandSupport.Matches(z.Name, pattern)).ToList();
            if (matched.Count == 0 && !WildcardPattern.ContainsWildcardCharacters(pattern))
            {
                WriteError(FirewalldCommandSupport.NoSuchZone(pattern, zones));
                continue;
            }

            WriteObject(matched, enumerateCollection: true);
        }
    }
}
