using System.Management.Automation;
using DockerHostTools.Core.Firewalld;
using DockerHostTools.Core.Native;

namespace DockerHostTools.Commands;

/// <summary>
/// <para type="synopsis">Shows whether firewalld runs, its version and backend, the default and active zones, and every zone at runtime and permanently.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "FirewalldState", HelpUri = ProjectInfo.HelpBase + "Get-FirewalldState.md")]
[OutputType(typeof(FirewalldState))]
public sealed class GetFirewalldStateCommand : DockerHostCmdlet
{
    /// <inheritdoc />
    protected override void EndProcessing() =>
        WriteObject(Await(async ct =>
        {
            // the policies beside the zones (firewalld 0.9+), read concurrently on the same road
            var policies = FirewalldPolicies.ReadHostAsync(Runner, ct);
            var state = await FirewalldReader.GetStateAsync(Runner, LiveFiles, ct).ConfigureAwait(false);
            return FirewalldPolicies.Apply(state, (await policies.ConfigureAwait(false)).Policies);
        }));
}
