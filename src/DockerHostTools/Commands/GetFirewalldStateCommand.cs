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
    protected override void EndProcessing()
    {
        string? policyError = null;
        var state = Await(async ct =>
        {
            // the policies beside the zones (firewalld 0.9+), read concurrently on the same road; awaited whatever the zones do
            var policies = FirewalldPolicies.ReadHostAsync(Runner, ct);
            try
            {
                var read = await FirewalldReader.GetStateAsync(Runner, LiveFiles, ct).ConfigureAwait(false);
                var (list, error) = await policies.ConfigureAwait(false);
                policyError = error;
                return FirewalldPolicies.Apply(read, list);
            }
            finally
            {
                await policies.ConfigureAwait(false);
            }
        });
        if (state.IsRunning && policyError is not null)
        {
            WriteWarning("firewalld: " + policyError + " (Policies is empty for that reason, not because firewalld has none).");
        }

        WriteObject(state);
    }
}
