"""HTCDS 2.0 code lists (value names exactly as the standard spells them), with labels for people.

The standard is the Human Trafficking Case Data Standard of IOM (HTCDS_Field_Standards_2.0.ods); a test checks
these lists against that file so they cannot drift from it.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Gender(models.TextChoices):
    """prs_Gender: kept as the standard codes it (the registry's sex stays as it was; reports count the
    transgender and non-conforming codes as "other")."""

    FEMININE = "Feminine", _("Woman or girl")
    MASCULINE = "Masculine", _("Man or boy")
    TRANSGENDER_FEMININE = "TransgenderFeminine", _("Transgender woman or girl")
    TRANSGENDER_MASCULINE = "TransgenderMasculine", _("Transgender man or boy")
    NON_CONFORMING = "NonConforming", _("Another gender")
    UNKNOWN = "NonSpecifiedUnknown", _("Not said or not known")


# prs_Gender as the registry's sex (female, male, other, unknown), for reports and people's records.
GENDER_SEX = {
    Gender.FEMININE: "female",
    Gender.MASCULINE: "male",
    Gender.TRANSGENDER_FEMININE: "other",
    Gender.TRANSGENDER_MASCULINE: "other",
    Gender.NON_CONFORMING: "other",
    Gender.UNKNOWN: "unknown",
}


class TraffickingStatus(models.TextChoices):
    """vic_TraffickingStatus."""

    POSSIBLE = "PossibleVictimOfTrafficking", _("Possible victim of trafficking")
    ACTUAL = "ActualVictimOfTrafficking", _("Actual victim of trafficking")
    NOT_A_VICTIM = "NotAVictimOfTrafficking", _("Not a victim of trafficking")


class DecisionOrg(models.TextChoices):
    """vic_TraffickingStatusDecisionMakingOrg."""

    POLICE = "Police", _("Police")
    NGO = "NGO", _("NGO")
    COURT = "CourtOrProsecution", _("Court or prosecution")
    GOVERNMENT = "NonPoliceGovernmentalOrganization", _("Non-police government organisation")
    OTHER = "Other", _("Other")


class Relationship(models.TextChoices):
    """vic_RelationshipToTrafficker (the standard's own spelling of 'Unaquainted' is kept)."""

    FAMILIAL = "Familial", _("Family")
    ACQUAINTED = "Acquainted", _("Someone they knew")
    UNACQUAINTED = "Unaquainted", _("A stranger")


class RecruitmentMethod(models.TextChoices):
    """vic_MethodOfRecruitment."""

    PLACE_OF_BUSINESS = "AtAPlaceOfBusiness", _("At a place of business")
    EDUCATION = "AtAnEducationalInstitution", _("At a school or college")
    AT_WORK = "AtWork", _("At work")
    SOCIAL_NETWORKS = "ThroughOnlineSocialNetworks", _("Through online social networks")
    ONLINE_AD = "ThroughAnOnlineAdvertisement", _("Through an online advertisement")
    TV_AD = "ThroughATelevisionAdvert", _("Through a television advert")
    NEWSPAPER_AD = "ThroughANewspaperAdvert", _("Through a newspaper advert")
    FAMILY = "ThroughFamilyOrFamilyEvents", _("Through family or family events")
    FRIENDS = "ThroughFriendsOrSocialEvents", _("Through friends or social events")
    OTHER = "Other", _("Other")


class RecruitmentApp(models.TextChoices):
    """vic_RecruitmentWebsitesAndApps."""

    FACEBOOK = "Facebook", "Facebook"
    INSTAGRAM = "Instagram", "Instagram"
    WHATSAPP = "WhatsApp", "WhatsApp"
    TELEGRAM = "Telegram", "Telegram"
    MESSENGER = "FacebookMessenger", "Facebook Messenger"
    VIBER = "Viber", "Viber"
    SNAPCHAT = "SnapChat", "SnapChat"
    LINE = "Line", "Line"
    FOURSALE = "4Sale", "4Sale"
    WECHAT = "WeChat", "WeChat"
    QQ = "QQ", "QQ"
    QZONE = "QZone", "QZone"
    TIKTOK = "TikTok", "TikTok"
    TWITTER = "Twitter", "Twitter"
    OTHER = "Other", _("Other")


class ControlMethod(models.TextChoices):
    """vic_MethodsOfControl."""

    PHYSICAL_THREATS = "PhysicalThreats", _("Physical threats")
    THREATS_LAW_ENFORCEMENT = "ThreatsLawEnforcement", _("Threats of police or immigration")
    THREATENS_FAMILY = "ThreatensChildrenFamily", _("Threats to children or family")
    DEBT_BONDAGE = "DebtBondage", _("Debt bondage")
    FALSE_PROMISES = "FalsePromises", _("False promises")
    PHYSICAL_ABUSE = "PhysicalAbuse", _("Physical abuse")
    SEXUAL_ABUSE = "SexualAbuse", _("Sexual abuse")
    TAKES_EARNINGS = "TakesEarnings", _("Takes earnings")
    RESTRICTS_FINANCES = "RestrictsFinancialAccess", _("Restricts access to money")
    RESTRICTS_MEDICAL = "RestrictsMedicalCare", _("Restricts medical care")
    WITHHOLDS_NECESSITIES = "WithholdsNecessities", _("Withholds food, sleep or other necessities")
    PSYCHOLOGICAL_ABUSE = "PsychologicalAbuse", _("Psychological abuse")
    SUBSTANCES = "PsychoactiveSubstance", _("Drugs or alcohol")
    EXCESSIVE_HOURS = "ExcessiveWorkingHours", _("Excessive working hours")
    WITHHOLDS_DOCUMENTS = "WithholdsDocuments", _("Keeps identity documents")
    OTHER = "Other", _("Other")


class Exploitation(models.TextChoices):
    """vic_TypeOfExploitation."""

    FORCED_LABOUR = "ForcedLabour", _("Forced labour")
    SEXUAL = "SexualExploitation", _("Sexual exploitation")
    CHILD_LABOUR = "ChildLabour", _("Child labour")
    FORCED_MARRIAGE = "ForcedMarriage", _("Forced marriage")
    SERVITUDE = "Servitude", _("Servitude")
    FORCED_MILITARY = "ForcedMilitaryByNonStateActors", _("Forced military (by non-state actors)")
    ORGAN_REMOVAL = "OrganRemoval", _("Organ removal")
    FORCED_BEGGING = "ForcedBegging", _("Forced begging")
    FORCED_ADOPTION = "ForcedAdoption", _("Forced adoption")
    SURROGACY = "Surrogacy", _("Surrogacy")
    OTHER = "Other", _("Other")


class SexExploitation(models.TextChoices):
    """vic_TypeOfSexExploitation."""

    PROSTITUTION = "Prostitution", _("Prostitution")
    PORNOGRAPHY = "Pornography", _("Pornography")
    REMOTE = "RemoteInteractiveServices", _("Remote interactive services")
    PRIVATE = "PrivateSexualServices", _("Private sexual services")


class LabourIndustry(models.TextChoices):
    """vic_ForcedLabourIndustry: ISIC sections."""

    A = "A_AgricultureForestryAndFishing", _("Agriculture, forestry and fishing")
    B = "B_MiningAndQuarrying", _("Mining and quarrying")
    C = "C_Manufacturing", _("Manufacturing")
    D = "D_ElectricityGasSteamAndAirConditioningSupply", _("Electricity, gas, steam and air conditioning")
    E = "E_WaterSupplySewerageWasteManagement", _("Water supply, sewerage and waste")
    F = "F_Construction", _("Construction")
    G = "G_WholesaleAndRetailTradeRepairOfMotorVehicles", _("Wholesale and retail trade, vehicle repair")
    H = "H_TransportationAndStorage", _("Transportation and storage")
    I = "I_AccommodationAndFoodServiceActivities", _("Accommodation and food service")  # noqa: E741
    J = "J_InformationAndCommunication", _("Information and communication")
    K = "K_FinancialAndInsuranceActivities", _("Financial and insurance activities")
    L = "L_RealEstateActivities", _("Real estate activities")
    M = (
        "M_ProfessionalScientificAndTechnicalActivities",
        _("Professional, scientific and technical activities"),
    )
    N = "N_AdministrativeAndSupportServiceActivities", _("Administrative and support services")
    O = "O_PublicAdministrationAndDefence", _("Public administration and defence")  # noqa: E741
    P = "P_Education", _("Education")
    Q = "Q_HumanHealthAndSocialWorkActivities", _("Health and social work")
    R = "R_ArtsEntertainmentAndRecreation", _("Arts, entertainment and recreation")
    S = "S_OtherServiceActivities", _("Other service activities")
    T = "T_ActivitiesOfHouseholdsAsEmployers", _("Households as employers (domestic work)")
    U = "U_ActivitiesOfExtraterritorialOrganizations", _("Extraterritorial organisations")


class PerpetratorRole(models.TextChoices):
    """per_RoleInProcess."""

    TRAVELLING_PARTNER = "TravellingPartner", _("Travelling partner")
    TRANSPORTER = "Transporter", _("Transporter")
    RECRUITER = "RecruiterOrIntermediary", _("Recruiter or intermediary")
    BROKER = "BrokerTravelAgent", _("Broker or travel agent")
    TRANSFERRED = "TransferredIndividual", _("Transferred the person")
    HARBOURED = "HarbouredIndividual", _("Harboured the person")
    SOLD = "SoldIndividual", _("Sold the person")
    BOUGHT = "BoughtIndividual", _("Bought the person")
    RECEIVED = "ReceivedIndividual", _("Received the person")
    CONTROLLED = "ControlledIndividual", _("Controlled the person")
    SMUGGLER = "Smuggler", _("Smuggler")
    ABUSER = "Abuser", _("Abuser")
    KIDNAPPER = "Kidnapper", _("Kidnapper")
    EXPLOITER = "Exploiter", _("Exploiter")
    OTHER = "Other", _("Other")


class CaseStatus(models.TextChoices):
    """cas_Status."""

    ACTIVE = "Active", _("Active")
    FOLLOW_UP = "FollowUp", _("Follow-up")
    CLOSED = "Closed", _("Closed")
    CLOSED_REFERRED = "ClosedReferred", _("Closed, referred")


class ReferralReason(models.TextChoices):
    """cas_ReasonForOutgoingReferral."""

    SERVICES = "AdditionalServicesRequired", _("Additional services required")
    MOVED = "MigrationOrChangeOfLocation", _("Moved to another place")
    OTHER = "Other", _("Other")


# The HTCDS field each list belongs to, for exports and for the check against the standard.
CODE_LISTS: dict[str, type[models.TextChoices]] = {
    "vic_TraffickingStatus": TraffickingStatus,
    "vic_TraffickingStatusDecisionMakingOrg": DecisionOrg,
    "vic_RelationshipToTrafficker": Relationship,
    "vic_MethodOfRecruitment": RecruitmentMethod,
    "vic_RecruitmentWebsitesAndApps": RecruitmentApp,
    "vic_MethodsOfControl": ControlMethod,
    "vic_TypeOfExploitation": Exploitation,
    "vic_TypeOfSexExploitation": SexExploitation,
    "vic_ForcedLabourIndustry": LabourIndustry,
    "per_RoleInProcess": PerpetratorRole,
    "cas_Status": CaseStatus,
    "cas_ReasonForOutgoingReferral": ReferralReason,
}
