using System.Management.Automation;
using DockerHostTools.Core.Firewalld;

namespace DockerHostTools.Commands;

/// <summary>
/// <para type="synopsis">Closes a port (or range) in a firewalld zone, at runtime and permanently, without a reload; does nothing when it is not open.</para>
/// </summary>
[Cmdlet(VerbsCommon.Remove, "FirewalldPort", HelpUri = ProjectInfo.HelpBase + "Remove-FirewalldPort.md", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(FirewalldPortChange))]
public sealed class RemoveFirewalldPortCommand : FirewalldPortChangeCommand
{
    private protected override bool Add => false;
}
