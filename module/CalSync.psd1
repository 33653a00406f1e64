@{
    RootModule           = 'CalSync.Cmdlets.dll'
    ModuleVersion        = '0.1.0'
    GUID                 = '5b0f3c2e-8a4d-4f71-9d36-2e7c1a9b4f10'
    Author               = 'CalSync contributors'
    CompanyName          = 'CalSync'
    Copyright            = '(c) CalSync contributors. MIT license.'
    Description          = 'Keeps an Outlook.com calendar (Microsoft Graph) and a Bitrix24 calendar in sync: compiled cmdlets over one sync engine, with mapping profiles, history and schedules.'
    PowerShellVersion    = '7.4'
    CompatiblePSEditions = @('Core')
    FormatsToProcess     = @('CalSync.Format.ps1xml')
    CmdletsToExport      = @(
        'Connect-OutlookCalendar'
        'Disconnect-OutlookCalendar'
        'Connect-Bitrix24'
        'Disconnect-Bitrix24'
        'Get-CalSyncConnection'
        'New-CalSync'
        'Get-CalSync'
        'Set-CalSync'
        'Remove-CalSync'
        'Remove-CalSyncCopy'
        'Reset-CalSync'
        'Start-CalSync'
        'Get-CalSyncHistory'
        'Get-CalSyncPlan'
        'Get-CalSyncStatus'
        'Register-CalSyncSchedule'
        'Unregister-CalSyncSchedule'
        'Export-CalSyncMapping'
        'Test-CalSyncMapping'
        'Test-CalSyncService'
    )
    FunctionsToExport    = @()
    AliasesToExport      = @()
    VariablesToExport    = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('Calendar', 'Outlook', 'Bitrix24', 'Sync', 'MicrosoftGraph', 'PSEdition_Core', 'Windows', 'Linux', 'MacOS')
            ProjectUri   = 'https://github.com/calsync/calsync'
            LicenseUri   = 'https://github.com/calsync/calsync/blob/main/LICENSE'
            ReleaseNotes = '0.1.0: first release. The cmdlets, engine and connectors are built for net8.0 (PowerShell 7.4 and later) and ship with pinned dependencies (central package versions, transitive pinning and committed lock files; the module carries only the allow-listed assemblies, MSAL 4.92 and Microsoft Graph in a private load context). MIT license (LICENSE in the module folder).'
        }
    }
}
