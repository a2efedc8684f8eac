<#
    The child-pwsh runner the lab helpers share: a script block runs in a pwsh inside a lab (a namespace, the nspawn
    machine) with the assembled module imported, and its output, errors and warnings come back as JSON (enums as words),
    as a runbook would read them. The caller decides how to start the child (nsenter, ip netns exec, setpriv...).
#>

function New-LabPwshRun {
    <#
        Writes args.xml, script.ps1 and runner.ps1 into $Work. $Inside is the path the child sees $Work at (the same
        path, or a bind such as /dkx/ID in the nspawn machine); $ModulePath is the module as the child sees it.
        Returns the runner's path as the child sees it.
    #>
    param(
        [Parameter(Mandatory)] [string] $Work,
        [Parameter(Mandatory)] [string] $Inside,
        [Parameter(Mandatory)] [string] $ModulePath,
        [Parameter(Mandatory)] [scriptblock] $ScriptBlock,
        [object[]] $ArgumentList = @()
    )
    Set-Content -Path "$Work/args.xml" -Value ([System.Management.Automation.PSSerializer]::Serialize($ArgumentList))
    Set-Content -Path "$Work/script.ps1" -Value $ScriptBlock.ToString()
    Set-Content -Path "$Work/runner.ps1" -Value @"
`$ErrorActionPreference = 'Continue'
`$ProgressPreference = 'SilentlyContinue'
Import-Module '$ModulePath' -Force
`$a = [System.Management.Automation.PSSerializer]::Deserialize((Get-Content -Raw '$Inside/args.xml'))
`$sb = [scriptblock]::Create((Get-Content -Raw '$Inside/script.ps1'))
`$out = [System.Collections.Generic.List[object]]::new(); `$err = [System.Collections.Generic.List[object]]::new(); `$warn = [System.Collections.Generic.List[string]]::new()
try {
    & `$sb @a 2>&1 3>&1 | ForEach-Object {
        if (`$_ -is [System.Management.Automation.ErrorRecord]) { `$err.Add(`$_) }
        elseif (`$_ -is [System.Management.Automation.WarningRecord]) { `$warn.Add("`$_") }
        else { `$out.Add(`$_) }
    }
}
catch { `$err.Add(`$_) }
# Errors keep what a script catches them by.
`$errors = @(`$err | ForEach-Object { [pscustomobject]@{ FullyQualifiedErrorId = `$_.FullyQualifiedErrorId; Category = `$_.CategoryInfo.Category.ToString(); TargetObject = "`$(`$_.TargetObject)"; Message = `$_.ToString(); ExceptionType = `$_.Exception.GetType().FullName } })
[pscustomobject]@{ Output = `$out.ToArray(); Errors = `$errors; Warnings = `$warn.ToArray() } | ConvertTo-Json -Depth 8 -EnumsAsStrings | Set-Content -Path '$Inside/result.json'
"@
    "$Inside/runner.ps1"
}

function Read-LabPwshResult {
    <# Reads what the runner wrote into $Work; throws with the child's own output when it wrote nothing. #>
    param([Parameter(Mandatory)] [string] $Work, [object[]] $Log, [int] $ExitCode)
    if (-not (Test-Path "$Work/result.json")) { throw "The pwsh in the lab wrote no result (exit $ExitCode):`n$($Log -join "`n")" }
    $r = Get-Content "$Work/result.json" -Raw | ConvertFrom-Json
    [pscustomobject]@{ Output = @($r.Output); Errors = @($r.Errors); Warnings = @($r.Warnings) }
}

Export-ModuleMember -Function New-LabPwshRun, Read-LabPwshResult
