from django.urls import path, re_path
from rest_framework.routers import SimpleRouter

from longarm.api_common import ID_IN_PATH
from longarm.cases import api

router = SimpleRouter()
router.register("cases", api.CaseViewSet, basename="api-case")
router.register("measures", api.MeasureViewSet, basename="api-measure")
router.register("recoveries", api.RecoveryViewSet, basename="api-recovery")

CASE = rf"^cases/(?P<case_id>{ID_IN_PATH})"
urlpatterns = [
    path("cases/open/", api.CaseOpenView.as_view(), name="api-case-open"),
    path("cases/from-alert/", api.CaseFromAlertView.as_view(), name="api-case-from-alert"),
    re_path(rf"{CASE}/located/$", api.CaseLocatedView.as_view(), name="api-case-located"),
    re_path(rf"{CASE}/detention/$", api.CaseDetentionView.as_view(), name="api-case-detention"),
    re_path(rf"{CASE}/return/$", api.CaseReturnView.as_view(), name="api-case-return"),
    re_path(rf"{CASE}/death/$", api.CaseDeathView.as_view(), name="api-case-death"),
    re_path(rf"{CASE}/close/$", api.CaseCloseView.as_view(), name="api-case-close"),
    re_path(rf"{CASE}/priority-list/$", api.CasePriorityListView.as_view(), name="api-case-priority-list"),
    re_path(rf"{CASE}/red-notice/$", api.CaseRedNoticeView.as_view(), name="api-case-red-notice"),
    re_path(rf"{CASE}/measures/$", api.MeasureOpenView.as_view(), name="api-case-measure-open"),
    re_path(rf"{CASE}/ftm/$", api.CaseFtmView.as_view(), name="api-case-ftm"),
    path("measures/reminders/", api.MeasureRemindersView.as_view(), name="api-measure-reminders"),
    path("measures/<int:measure_id>/sent/", api.MeasureSentView.as_view(), name="api-measure-sent"),
    path("measures/<int:measure_id>/answer/", api.MeasureAnswerView.as_view(), name="api-measure-answer"),
    path("measures/<int:measure_id>/withdraw/", api.MeasureWithdrawView.as_view(), name="api-measure-withdraw"),
    path("recoveries/record/", api.RecoveryRecordView.as_view(), name="api-recovery-record"),
    *router.urls,
]
