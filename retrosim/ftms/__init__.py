"""Bluetooth Fitness Machine Service: the codec and a virtual FTMS treadmill.

>>> from retrosim.ftms import FtmsTreadmill
>>> tm = FtmsTreadmill()
>>> tm.write_control_point(b"\\x00")
b'\\x80\\x00\\x01'
>>> tm.advance(30.0)
>>> TreadmillData.decode(tm.read_treadmill_data()).elapsed_time_s
30.0
"""

from retrosim.ftms.codec import (
                                 ControlRequest,
                                 Feature,
                                 MachineStatus,
                                 SupportedRange,
                                 TreadmillData,
)
from retrosim.ftms.treadmill import DIRECTION_UUID, FtmsTreadmill

__all__ = ["DIRECTION_UUID", "ControlRequest", "Feature", "FtmsTreadmill", "MachineStatus",
           "SupportedRange", "TreadmillData"]
